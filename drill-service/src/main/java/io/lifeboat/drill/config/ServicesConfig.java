package io.lifeboat.drill.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.util.Optional;

/** The services a drill drives ({@code lifeboat.services.*}); `./lifeboat up` passes their URLs. */
@ConfigMapping(prefix = "lifeboat.services")
public interface ServicesConfig {
    @WithName("backup-service")
    @WithDefault("http://127.0.0.1:8081")
    String backupService();

    @WithName("restore-service")
    @WithDefault("http://127.0.0.1:8082")
    String restoreService();

    @WithName("incident-service")
    @WithDefault("http://127.0.0.1:8084")
    String incidentService();

    /** This service's own URL (passed to every service by the local stack). */
    @WithName("drill-service")
    @WithDefault("http://127.0.0.1:8083")
    String drillService();

    /** Bearer token (operator) drill-service presents to the other services; from LIFEBOAT_SERVICES_TOKEN. */
    Optional<String> token();
}
