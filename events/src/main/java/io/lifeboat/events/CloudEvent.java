package io.lifeboat.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.Objects;

/**
 * A CloudEvents 1.0 event in structured JSON mode. {@code actor} is a Lifeboat extension attribute:
 * who or what caused the event (a user, a schedule, a drill).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"specversion", "id", "source", "type", "subject", "time", "datacontenttype", "actor", "data"})
public record CloudEvent(String specversion, String id, String source, String type, String subject, Instant time,
                         String datacontenttype, String actor, JsonNode data) {

    public static final String SPEC_VERSION = "1.0";
    /** Kafka content-type header value of a structured-mode CloudEvent. */
    public static final String STRUCTURED_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8";

    public CloudEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(source, "source");
    }

    /** The catalogue entry of this event, if it is a known type. */
    public java.util.Optional<EventType> eventType() {
        return EventType.fromTypeName(type);
    }
}
