package io.lifeboat.drill.scenario;

import io.lifeboat.http.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Owns the scenarios (built-in ones are seeded by the first migration and editable). */
@ApplicationScoped
public class ScenarioService {

    public List<Scenario> list() {
        return Scenario.list("ORDER BY name");
    }

    public Scenario get(String name) {
        Scenario scenario = Scenario.findById(name);
        if (scenario == null) {
            throw ApiException.notFound("scenario '" + name + "' does not exist; GET /scenarios lists them");
        }
        return scenario;
    }

    @Transactional
    public boolean put(String name, ScenarioRequest r) {
        if (name == null || !name.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw ApiException.badField("name", "must be 1-63 characters of a-z, 0-9 and '-'");
        }
        checkPositive("rtoTarget", r.rtoTarget());
        checkPositive("rpoTarget", r.rpoTarget());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < r.steps().size(); i++) {
            if (!seen.add(r.steps().get(i).name())) {
                throw ApiException.badField("steps[" + i + "].name", "'" + r.steps().get(i).name() + "' appears twice");
            }
        }
        Scenario scenario = Scenario.findById(name);
        boolean created = scenario == null;
        if (created) {
            scenario = new Scenario();
            scenario.name = name;
        }
        scenario.title = r.title();
        scenario.sources = String.join(",", r.sources());
        scenario.rtoTargetSeconds = (r.rtoTarget() == null ? Duration.ofHours(4) : r.rtoTarget()).toSeconds();
        scenario.rpoTargetSeconds = (r.rpoTarget() == null ? Duration.ofHours(24) : r.rpoTarget()).toSeconds();
        scenario.steps = List.copyOf(r.steps());
        scenario.updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        scenario.persist();
        return created;
    }

    private static void checkPositive(String field, Duration d) {
        if (d != null && (d.isZero() || d.isNegative())) {
            throw ApiException.badField(field, "must be a positive ISO-8601 duration such as PT4H");
        }
    }
}
