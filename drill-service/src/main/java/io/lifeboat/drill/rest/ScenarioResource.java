package io.lifeboat.drill.rest;

import io.lifeboat.drill.scenario.ScenarioRequest;
import io.lifeboat.drill.scenario.ScenarioService;
import io.lifeboat.drill.scenario.ScenarioView;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

import java.util.List;

/** The runbook's scenarios with their step budgets. */
@Path("/scenarios")
public class ScenarioResource {

    private final ScenarioService scenarios;

    public ScenarioResource(ScenarioService scenarios) {
        this.scenarios = scenarios;
    }

    @GET
    @RolesAllowed({"viewer", "operator", "admin"})
    public List<ScenarioView> list() {
        return scenarios.list().stream().map(ScenarioView::of).toList();
    }

    @GET
    @Path("{name}")
    @RolesAllowed({"viewer", "operator", "admin"})
    public ScenarioView get(@PathParam("name") String name) {
        return ScenarioView.of(scenarios.get(name));
    }

    @PUT
    @Path("{name}")
    @RolesAllowed({"operator", "admin"})
    public Response put(@PathParam("name") String name, @Valid @NotNull(message = "a JSON body is required") ScenarioRequest request) {
        boolean created = scenarios.put(name, request);
        return Response.status(created ? 201 : 200).entity(ScenarioView.of(scenarios.get(name))).build();
    }
}
