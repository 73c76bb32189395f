package io.lifeboat.incident.incident;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The runbook's disaster scenarios. */
public enum Scenario {
    @JsonProperty("database-loss") DATABASE_LOSS("database-loss"),
    @JsonProperty("vector-store-corruption") VECTOR_STORE_CORRUPTION("vector-store-corruption"),
    @JsonProperty("infrastructure-loss") INFRASTRUCTURE_LOSS("infrastructure-loss"),
    @JsonProperty("combined") COMBINED("combined"),
    @JsonProperty("other") OTHER("other");

    private final String value;

    Scenario(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    public static java.util.Optional<Scenario> of(String text) {
        return java.util.Arrays.stream(values()).filter(s -> s.value.equalsIgnoreCase(text)).findFirst();
    }
}
