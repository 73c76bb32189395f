package io.lifeboat.cli;

import java.util.Map;

/**
 * Where each service answers: {@code LIFEBOAT_<SERVICE>_URL} (e.g. {@code LIFEBOAT_RESTORE_URL}), else the local
 * stack's address on {@code LIFEBOAT_<SERVICE>_PORT} or its default port.
 */
final class Endpoints {

    private static final Map<String, Integer> DEFAULT_PORTS = Map.of("backup-service", 8081, "restore-service", 8082,
            "drill-service", 8083, "incident-service", 8084);

    private final Map<String, String> environment;

    Endpoints(Map<String, String> environment) {
        this.environment = environment;
    }

    String url(String service) {
        String name = service.replace("-service", "").toUpperCase();
        String url = environment.get("LIFEBOAT_" + name + "_URL");
        if (url != null && !url.isBlank()) {
            return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        }
        String port = environment.get("LIFEBOAT_" + name + "_PORT");
        return "http://127.0.0.1:" + (port == null || port.isBlank() ? DEFAULT_PORTS.get(service) : port.strip());
    }
}
