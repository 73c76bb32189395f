package io.lifeboat.backup;

import io.lifeboat.stack.TokenIssuer;
import io.lifeboat.testsupport.TestServers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;

import static io.lifeboat.backup.RealServers.as;
import static org.hamcrest.Matchers.*;

/** Every way a token can be wrong is a 401 (problem details), and a machine token is no operator token. */
@QuarkusTest
class ForgedTokensAreRefusedTest {

    private static PrivateKey lifeboatKey() throws Exception {
        String pem = Files.readString(TestServers.get().tokens().privateKey()).replaceAll("-----[A-Z ]+-----", "")
                .replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
    }

    /** An admin token as Lifeboat signs them, before {@code the one thing} that is wrong with it. */
    private static JwtClaimsBuilder admin() {
        return Jwt.issuer(TokenIssuer.ISSUER).audience(TokenIssuer.AUDIENCE).subject("mallory").upn("mallory")
                .groups(Set.of("viewer", "operator", "admin")).expiresAt(Instant.now().plusSeconds(600));
    }

    private static void refused(String token) {
        RestAssured.given().header("Authorization", "Bearer " + token).get("/sources").then().statusCode(401)
                .contentType("application/problem+json").body("status", is(401));
    }

    @Test
    void aWellFormedTokenIsAccepted() throws Exception {
        RestAssured.given().header("Authorization", "Bearer " + admin().sign(lifeboatKey())).get("/sources").then().statusCode(200);
    }

    @Test
    void anExpiredTokenIsRefused() throws Exception {
        refused(admin().issuedAt(Instant.now().minusSeconds(7200)).expiresAt(Instant.now().minusSeconds(3600)).sign(lifeboatKey()));
    }

    @Test
    void aTokenFromAnotherIssuerIsRefused() throws Exception {
        refused(admin().issuer("https://evil.example").sign(lifeboatKey()));
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() throws Exception {
        refused(admin().audience("some-other-service").sign(lifeboatKey()));
    }

    @Test
    void aTokenWithoutAnAudienceIsRefused() throws Exception {
        refused(Jwt.issuer(TokenIssuer.ISSUER).subject("mallory").upn("mallory").groups(Set.of("viewer", "operator", "admin"))
                .expiresAt(Instant.now().plusSeconds(600)).sign(lifeboatKey()));
    }

    @Test
    void aTokenSignedWithAnotherKeyIsRefused() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        refused(admin().sign(generator.generateKeyPair().getPrivate()));
    }

    @Test
    void anUnsignedTokenIsRefused() throws Exception {
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String header = url.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = url.encodeToString(("{\"iss\":\"" + TokenIssuer.ISSUER + "\",\"aud\":\"" + TokenIssuer.AUDIENCE
                + "\",\"sub\":\"mallory\",\"upn\":\"mallory\",\"groups\":[\"viewer\",\"operator\",\"admin\"],\"exp\":"
                + Instant.now().plusSeconds(600).getEpochSecond() + "}").getBytes(StandardCharsets.UTF_8));
        refused(header + "." + payload + ".");
    }

    @Test
    void machineTokensCanDoOnlyTheirJob() {
        as("alertmanager").get("/sources").then().statusCode(403);
        as("drill").get("/sources").then().statusCode(200);
        as("drill").contentType(ContentType.JSON).body("{\"kind\": \"directory\", \"path\": \"/tmp/drill-may-not\"}")
                .put("/sources/drill-may-not").then().statusCode(403);
    }
}
