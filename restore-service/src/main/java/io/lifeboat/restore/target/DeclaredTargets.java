package io.lifeboat.restore.target;

import io.lifeboat.restore.config.RestoreConfig;
import io.lifeboat.http.ApiException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import org.jboss.logging.Logger;

import java.util.Comparator;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Applies the targets declared in configuration at start: configuration is their source of truth, so a
 * restore-service that lost its database, or whose servers moved, comes back with them right. A declaration that
 * the API would refuse stops the service with the property and the problem named, rather than being half applied.
 */
@ApplicationScoped
public class DeclaredTargets {

    private static final Logger LOG = Logger.getLogger(DeclaredTargets.class);

    private final RestoreConfig config;
    private final TargetService targets;
    private final Validator validator;

    public DeclaredTargets(RestoreConfig config, TargetService targets, Validator validator) {
        this.config = config;
        this.targets = targets;
        this.validator = validator;
    }

    void onStart(@Observes StartupEvent event) {
        config.targets().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).forEach(declared -> {
            String name = declared.getKey();
            RestoreConfig.DeclaredTarget d = declared.getValue();
            TargetRequest request = new TargetRequest(d.kind(), d.source().orElse(null), d.host().orElse(null),
                    d.port().orElse(null), d.database().orElse(null), d.user().orElse(null), d.passwordRef().orElse(null),
                    d.path().orElse(null), d.production(), d.httpCheckUrls().orElse(null));
            String property = "lifeboat.restore.targets." + name;
            Set<ConstraintViolation<TargetRequest>> violations = validator.validate(request);
            if (!violations.isEmpty()) {
                throw new IllegalStateException(property + " is invalid: " + violations.stream()
                        .sorted(Comparator.comparing(v -> v.getPropertyPath().toString()))
                        .map(v -> v.getPropertyPath() + " " + v.getMessage()).collect(Collectors.joining("; ")));
            }
            boolean created;
            try {
                created = QuarkusTransaction.requiringNew().call(() -> targets.put(name, request));
            } catch (ApiException refused) {
                throw new IllegalStateException(property + " is invalid: " + refused.getMessage(), refused);
            } catch (RuntimeException e) {
                // another instance starting at the same moment registered it first
                if (QuarkusTransaction.requiringNew().call(() -> Target.findById(name) == null)) {
                    throw e;
                }
                created = false;
            }
            LOG.infof("%s target %s (%s%s) from configuration", created ? "registered" : "applied", name, d.kind(),
                    d.production() ? ", production" : "");
        });
    }
}
