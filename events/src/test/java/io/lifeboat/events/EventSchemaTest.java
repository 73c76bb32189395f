package io.lifeboat.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.lifeboat.events.backup.Encryption;
import io.lifeboat.events.backup.Retention;
import io.lifeboat.events.restore.CheckResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Every payload record serialises to JSON that its schema accepts, and reads back equal. */
class EventSchemaTest {

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    @ParameterizedTest
    @EnumSource(EventType.class)
    void recordValidatesAgainstItsSchemaAndRoundTrips(EventType type) throws Exception {
        EventPayload payload = sample(type.payloadType());
        CloudEvent event = EventCodec.create("/lifeboat/test", "user:test", payload);
        String json = EventCodec.toJson(event);

        JsonNode tree = EventCodec.mapper().readTree(json);
        assertValid(schema("/schemas/cloudevent.json"), tree);
        assertValid(schema(type.schemaResource()), tree.get("data"));

        CloudEvent parsed = EventCodec.parse(json);
        // JsonNode number subtypes differ after a read (int vs long), so compare the JSON trees and the records
        assertEquals(tree, EventCodec.mapper().readTree(EventCodec.toJson(parsed)));
        assertEquals(event.id(), parsed.id());
        assertEquals(event.time(), parsed.time());
        assertEquals(payload, EventCodec.data(parsed));
        assertEquals(type.typeName(), parsed.type());
        assertEquals(payload.subject(), parsed.subject());
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void schemaRejectsDataMissingARequiredField(EventType type) throws Exception {
        ObjectNode data = EventCodec.mapper().valueToTree(sample(type.payloadType()));
        String first = type.payloadType().getRecordComponents()[0].getName();
        data.remove(first);
        assertFalse(schema(type.schemaResource()).validate(data).isEmpty(), "schema accepted data without " + first);
    }

    @Test
    void everyTypeHasASchemaAndAVersionedName() {
        for (EventType type : EventType.values()) {
            assertNotNull(getClass().getResource(type.schemaResource()), type + " has no schema");
            assertTrue(type.typeName().matches("lifeboat\\.[a-z.]+\\.v\\d+"), type.typeName());
            assertTrue(type.typeName().startsWith(type.topic().topicName() + "."), type.typeName());
        }
    }

    @Test
    void parseRejectsMalformedMessages() {
        assertThrows(MalformedEventException.class, () -> EventCodec.parse("not json"));
        assertThrows(MalformedEventException.class, () -> EventCodec.parse("{\"specversion\":\"1.0\"}"));
        assertThrows(MalformedEventException.class, () -> EventCodec.parse(
                "{\"specversion\":\"1.0\",\"id\":\"nope\",\"source\":\"s\",\"type\":\"t\",\"subject\":\"x\",\"time\":\"2026-01-01T00:00:00Z\"}"));
        assertThrows(MalformedEventException.class, () -> EventCodec.parse(""));
    }

    private static JsonSchema schema(String resource) throws Exception {
        try (InputStream in = EventSchemaTest.class.getResourceAsStream(resource)) {
            assertNotNull(in, resource);
            return FACTORY.getSchema(in);
        }
    }

    private static void assertValid(JsonSchema schema, JsonNode node) {
        Set<ValidationMessage> errors = schema.validate(node);
        assertTrue(errors.isEmpty(), () -> node + " is invalid: " + errors);
    }

    /** A payload with a plausible, non-null value in every component. */
    static EventPayload sample(Class<? extends EventPayload> type) throws Exception {
        RecordComponent[] components = type.getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            args[i] = sampleValue(components[i].getName(), components[i].getGenericType());
        }
        return type.getDeclaredConstructor(types).newInstance(args);
    }

    private static Object sampleValue(String name, Type type) {
        if (type instanceof ParameterizedType p) {
            Type arg = p.getActualTypeArguments()[p.getActualTypeArguments().length - 1];
            if (p.getRawType() == List.class) {
                return arg == CheckResult.class ? List.of(new CheckResult("row-count analytics", true, "730 >= 700"))
                        : List.of(name + "-1", name + "-2");
            }
            return arg == Long.class ? Map.of("analytics", 4000L) : Map.of("pg_dump", "15.18");
        }
        if (type == String.class) return name + "-value";
        if (type == Instant.class) return Instant.parse("2026-11-25T02:00:00.123456Z");
        if (type == Duration.class) return Duration.ofHours(24);
        if (type == LocalDate.class) return LocalDate.parse("2026-12-01");
        if (type == long.class || type == Long.class) return 1024L;
        if (type == int.class || type == Integer.class) return 2;
        if (type == double.class || type == Double.class) return 12.5;
        if (type == boolean.class) return true;
        if (type == Retention.class) return Retention.defaults();
        if (type == Encryption.class) return new Encryption("AES256_GCM_HKDF_1MB", "local-1");
        throw new IllegalArgumentException("no sample for " + type);
    }
}
