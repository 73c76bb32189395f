package io.lifeboat.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** Builds, writes and reads Lifeboat CloudEvents (structured JSON). Thread-safe. */
public final class EventCodec {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private EventCodec() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** A new event for {@code payload}, stamped now with a fresh UUID. */
    public static CloudEvent create(String source, String actor, EventPayload payload) {
        return create(source, actor, payload, Instant.now());
    }

    public static CloudEvent create(String source, String actor, EventPayload payload, Instant time) {
        EventType type = EventType.of(payload.getClass());
        JsonNode data = MAPPER.valueToTree(payload);
        return new CloudEvent(CloudEvent.SPEC_VERSION, UUID.randomUUID().toString(), source, type.typeName(),
                payload.subject(), time.truncatedTo(ChronoUnit.MICROS), "application/json", actor, data);
    }

    public static String toJson(CloudEvent event) {
        try {
            return MAPPER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise event " + event.id(), e);
        }
    }

    public static String toJson(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /**
     * Reads a structured CloudEvent and checks the attributes Lifeboat relies on.
     *
     * @throws MalformedEventException when the text is not JSON or lacks a required attribute
     */
    public static CloudEvent parse(String json) {
        if (json == null || json.isBlank()) {
            throw new MalformedEventException("empty message");
        }
        CloudEvent event;
        try {
            event = MAPPER.readValue(json, CloudEvent.class);
        } catch (JsonProcessingException e) {
            throw new MalformedEventException("not a CloudEvent: " + e.getOriginalMessage(), e);
        } catch (RuntimeException e) {
            // the record's constructor rejects missing id, type or source
            throw new MalformedEventException("not a CloudEvent: " + e.getMessage(), e);
        }
        if (!CloudEvent.SPEC_VERSION.equals(event.specversion())) {
            throw new MalformedEventException("unsupported specversion " + event.specversion());
        }
        try {
            UUID.fromString(event.id());
        } catch (IllegalArgumentException e) {
            throw new MalformedEventException("id is not a UUID: " + event.id());
        }
        if (event.time() == null) {
            throw new MalformedEventException("event " + event.id() + " has no time");
        }
        if (event.subject() == null || event.subject().isBlank()) {
            throw new MalformedEventException("event " + event.id() + " has no subject");
        }
        return event;
    }

    /** The payload of a known event type as its record. */
    public static <T extends EventPayload> T data(CloudEvent event, Class<T> payloadType) {
        try {
            return MAPPER.treeToValue(event.data(), payloadType);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new MalformedEventException("data of " + event.id() + " is not a " + payloadType.getSimpleName(), e);
        }
    }

    /** The payload as the record its type names. */
    public static EventPayload data(CloudEvent event) {
        EventType type = event.eventType()
                .orElseThrow(() -> new MalformedEventException("unknown event type " + event.type()));
        return data(event, type.payloadType());
    }
}
