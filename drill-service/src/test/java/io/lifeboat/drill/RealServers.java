package io.lifeboat.drill;

import io.lifeboat.testsupport.LifeboatServersResource;
import io.lifeboat.testsupport.TestServers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/** Every test of this module runs against the real servers of the shared harness. */
@QuarkusTestResource(value = LifeboatServersResource.class, initArgs = @ResourceArg(name = "database", value = "lifeboat_drill"))
public final class RealServers {

    private RealServers() {
    }

    public static RequestSpecification as(String role) {
        return RestAssured.given().header("Authorization", "Bearer " + TestServers.get().token(role));
    }
}
