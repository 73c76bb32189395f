package io.lifeboat.backup.wal;

import io.lifeboat.backup.backup.BackupService;
import io.lifeboat.backup.backup.InstanceId;
import io.lifeboat.backup.config.BackupConfig;
import io.lifeboat.backup.source.ContinuousProtectionEnded;
import io.lifeboat.backup.source.Source;
import io.lifeboat.bucket.wal.WalArchive;
import io.lifeboat.http.ApiException;
import io.lifeboat.postgres.PostgresEndpoint;
import io.lifeboat.postgres.SecretReferences;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs the WAL streams of continuous sources: each tick claims or renews this instance's lease on every continuous
 * source ({@link WalState#claim}) and starts a {@link WalStreamer} for each one it holds; a source it no longer
 * holds, or that is no longer continuous, is stopped. One instance streams a source at a time; when it dies, its
 * lease runs out and another instance takes the stream over from what the bucket holds (the slot kept the rest).
 */
@ApplicationScoped
public class WalStreams {

    private static final Logger LOG = Logger.getLogger(WalStreams.class);
    /** How often the spool folders of sources no longer continuous are looked at (and at the first tick). */
    private static final Duration SPOOL_SWEEP_EVERY = Duration.ofMinutes(10);

    /** What every streamer uses. */
    record Services(WalState state, WalUpload upload, WalArchive archive, SecretReferences secrets, BackupConfig config,
                    WalSpool spool, String instance, WalStreams owner) {

        void gap(String source, int timeline, String missing, String detail) {
            owner.gap(source, timeline, missing, detail);
        }

        /**
         * No base backup is started for a new cluster: after a rebuild it is empty until the old cluster's data is
         * restored into it, and a base backup then would make that empty state the newest restorable one.
         */
        void newCluster(String source, String systemId) {
            state.newCluster(source, systemId);
        }
    }

    private record Running(WalStreamer streamer, Thread thread, long claimedAt) {
    }

    private final Services services;
    private final BackupService backups;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private volatile boolean shuttingDown;
    private long sweptAt = System.nanoTime() - SPOOL_SWEEP_EVERY.toNanos();

    public WalStreams(WalState state, WalUpload upload, WalArchive archive, SecretReferences secrets, BackupConfig config,
                      InstanceId instance, BackupService backups) {
        this.services = new Services(state, upload, archive, secrets, config, new WalSpool(config), instance.value(), this);
        this.backups = backups;
    }

    @Scheduled(every = "${lifeboat.backup.wal.tick:2s}", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (shuttingDown) {
            return;
        }
        List<Source> continuous;
        try {
            continuous = QuarkusTransaction.requiringNew().call(() -> Source.<Source>list("continuous = true"));
        } catch (RuntimeException e) {
            expireUnrenewed();
            return;
        }
        Set<String> wanted = new HashSet<>();
        for (Source s : continuous) {
            wanted.add(s.name);
            StreamedSource definition = StreamedSource.of(s);
            boolean held;
            try {
                held = services.state().claim(s.name, services.instance());
            } catch (RuntimeException e) {
                LOG.debugf("cannot renew the WAL lease of %s: %s", s.name, e.getMessage());
                continue;
            }
            Running r = running.get(s.name);
            if (!held) {
                if (r != null) stop(s.name, false);
                continue;
            }
            if (r != null && !r.streamer().source().equals(definition)) {
                stop(s.name, false); // the source changed: stream with its new definition
                r = null;
            }
            if (r == null) {
                start(definition);
            } else {
                running.put(s.name, new Running(r.streamer(), r.thread(), System.nanoTime()));
            }
        }
        for (String name : Set.copyOf(running.keySet())) {
            if (!wanted.contains(name)) {
                stop(name, true);
            }
        }
        expireUnrenewed();
        if (System.nanoTime() - sweptAt >= SPOOL_SWEEP_EVERY.toNanos()) {
            sweptAt = System.nanoTime();
            services.spool().sweep(wanted, Duration.ofMinutes(1));
        }
    }

    /** Sources this instance streams now. */
    public Set<String> streaming() {
        return Set.copyOf(running.keySet());
    }

    private void start(StreamedSource source) {
        WalStreamer streamer = new WalStreamer(source, services);
        Thread thread = new Thread(streamer, "wal-stream-" + source.name());
        thread.setDaemon(true);
        running.put(source.name(), new Running(streamer, thread, System.nanoTime()));
        thread.start();
    }

    private void stop(String source, boolean release) {
        Running r = running.remove(source);
        if (r == null) {
            return;
        }
        r.streamer().stop();
        try {
            r.thread().join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (release) {
            try {
                services.state().release(source, services.instance());
            } catch (RuntimeException e) {
                LOG.debugf("cannot release the WAL lease of %s: %s", source, e.getMessage());
            }
        }
    }

    /** A lease this instance could not renew runs out: its stream stops before another instance may take it. */
    private void expireUnrenewed() {
        long lease = services.config().wal().lease().toNanos();
        running.forEach((name, r) -> {
            if (System.nanoTime() - r.claimedAt() > lease * 2 / 3) {
                LOG.warnf("WAL lease of %s not renewed in time: stopping its stream here", name);
                stop(name, false);
            }
        });
    }

    /**
     * A source stops being continuous (or is deleted): stop its stream here, drop its replication slot on the
     * source, which would otherwise keep WAL forever, and remove its spool folders when they are empty.
     */
    void retire(@Observes(during = TransactionPhase.AFTER_SUCCESS) ContinuousProtectionEnded ended) {
        StreamedSource source = new StreamedSource(ended.name(), ended.host(), ended.port(), ended.database(), ended.user(),
                ended.passwordRef(), ended.encrypted());
        stop(source.name(), true);
        try (Connection sql = new PostgresEndpoint(source.host(), source.port(), source.user())
                .connectToServer(source.database(), services.secrets().resolve(source.passwordRef()))) {
            if (WalSlots.drop(sql, WalSlots.slotName(source.name()))) {
                LOG.infof("dropped the replication slot of %s", source.name());
            }
        } catch (Exception e) {
            LOG.warnf("cannot drop the replication slot %s of %s: %s; drop it by hand, it keeps WAL on the source",
                    WalSlots.slotName(source.name()), source.name(), e.getMessage());
        }
        services.state().stopped(source.name(), services.instance());
        services.spool().retire(source.name());
    }

    /** WAL is missing: told at once, and a new base backup starts, so the window can grow again from it. */
    void gap(String source, int timeline, String missing, String detail) {
        LOG.warnf("WAL gap in %s at %s: %s", source, missing, detail);
        services.state().gap(source, timeline, missing, detail);
        baseBackup(source, "wal-gap");
    }

    void baseBackup(String source, String trigger) {
        try {
            backups.request(source, trigger, "lifeboat:wal-stream");
        } catch (ApiException e) {
            LOG.infof("base backup of %s (%s) not started: %s", source, trigger, e.getMessage());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        shuttingDown = true;
        for (String name : Set.copyOf(running.keySet())) {
            stop(name, true);
        }
    }
}
