package io.lifeboat.events;

/** Marker for the data of a Lifeboat CloudEvent; every payload names the aggregate it belongs to. */
public interface EventPayload {
    /** The aggregate id: the CloudEvent subject and the Kafka key. */
    String subject();
}
