package io.lifeboat.incident.eventlog;

import io.lifeboat.events.CloudEvent;
import io.lifeboat.events.EventCodec;
import io.lifeboat.incident.incident.IncidentService;
import io.lifeboat.incident.projection.ProjectionService;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes every Lifeboat topic into the event log. A message that is not a valid Lifeboat CloudEvent throws,
 * which the channel's dead-letter-queue strategy turns into a record on {@code lifeboat.dead-letter}; the
 * consumer then carries on with the next message.
 */
@ApplicationScoped
public class EventLogConsumer {

    private static final Logger LOG = Logger.getLogger(EventLogConsumer.class);

    private final EventStore store;
    private final ProjectionService projections;
    private final IncidentService incidents;

    public EventLogConsumer(EventStore store, ProjectionService projections, IncidentService incidents) {
        this.store = store;
        this.projections = projections;
        this.incidents = incidents;
    }

    @Incoming("lifeboat-events")
    @Blocking(ordered = true)
    @Transactional
    public void consume(ConsumerRecord<String, String> record) {
        CloudEvent event = EventCodec.parse(record.value());
        if (event.eventType().isPresent()) {
            EventCodec.data(event); // a known type must carry its payload shape
        }
        boolean stored = store.append(event, record.topic(), record.partition(), record.offset());
        if (stored) {
            projections.project(event);
            followTheWork(event);
        } else {
            LOG.debugf("event %s delivered again; already in the log", event.id());
        }
    }

    /** The incident follows the work done for it: a restore linked to it moves it to Restoring. */
    private void followTheWork(CloudEvent event) {
        if ("lifeboat.restore.started.v1".equals(event.type()) && event.data() != null
                && event.data().hasNonNull("incidentId")) {
            incidents.restoreStarted(event.data().get("incidentId").asText(), event.data().path("restoreId").asText(),
                    event.actor());
        }
    }
}
