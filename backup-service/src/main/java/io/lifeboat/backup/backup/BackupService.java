package io.lifeboat.backup.backup;

import io.lifeboat.http.ApiException;
import io.lifeboat.http.FinalPhaseWait;
import io.lifeboat.http.Paging;
import io.lifeboat.backup.source.Source;
import io.lifeboat.backup.source.SourceService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.PersistenceException;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** Owns backups: starting them (one at a time per source), reading them, listing them newest first. */
@ApplicationScoped
public class BackupService {

    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SourceService sources;
    private final BackupRunner runner;
    private final FinalPhaseWait finalPhases;

    public BackupService(SourceService sources, BackupRunner runner, FinalPhaseWait finalPhases) {
        this.sources = sources;
        this.runner = runner;
        this.finalPhases = finalPhases;
    }

    /** Creates the backup (phase New) and starts it; 409 naming the running backup of the same source. */
    public Backup request(String sourceName, String trigger, String actor) {
        // callable from any thread (scheduler, API): the lookup brings its own transaction
        Source source = QuarkusTransaction.requiringNew().call(() -> sources.get(sourceName));
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        String id = source.name + "-" + ID_TIME.format(now) + "-" + HexFormat.of().formatHex(new byte[]{(byte) RANDOM.nextInt(), (byte) RANDOM.nextInt()});
        Backup created;
        try {
            created = QuarkusTransaction.requiringNew().call(() -> {
                Optional<Backup> running = active(source.name);
                if (running.isPresent()) {
                    throw conflict(running.get());
                }
                Backup b = new Backup();
                b.id = id;
                b.source = source.name;
                b.kind = source.kind.name();
                b.physical = source.continuous;
                b.phase = BackupPhase.New;
                b.trigger = trigger;
                b.actor = actor;
                b.createdAt = now;
                b.persistAndFlush();
                return b;
            });
        } catch (PersistenceException e) {
            // the unique index on active backups caught a concurrent request
            throw active(source.name).map(BackupService::conflict).orElseThrow(() -> e);
        }
        runner.submit(created.id);
        return created;
    }

    private static ApiException conflict(Backup running) {
        return ApiException.conflict("a backup of " + running.source + " is already running: " + running.id
                + " (" + running.phase + "); wait for it or watch GET /backups/" + running.id);
    }

    public Optional<Backup> active(String source) {
        return QuarkusTransaction.requiringNew().call(() -> Backup.<Backup>find("source = ?1 AND phase IN ?2",
                source, List.of(BackupPhase.New, BackupPhase.InProgress)).firstResultOptional());
    }

    /** The backup as it is once Completed or Failed, or after {@code wait} ({@link FinalPhaseWait}). */
    public BackupView view(String id, Duration wait) {
        return finalPhases.await(() -> QuarkusTransaction.requiringNew().call(() -> BackupView.of(get(id))),
                v -> !v.phase().active(), wait);
    }

    public Backup get(String id) {
        Backup b = Backup.findById(id);
        if (b == null) {
            throw ApiException.notFound("backup '" + id + "' does not exist; GET /backups lists them");
        }
        return b;
    }

    /** Newest first; {@code cursor} continues after the last item of the previous page. */
    public List<Backup> list(String source, BackupPhase phase, Paging.Cursor cursor, int limit) {
        StringBuilder query = new StringBuilder("1 = 1");
        Parameters params = new Parameters();
        if (source != null) {
            query.append(" AND source = :source");
            params.and("source", source);
        }
        if (phase != null) {
            query.append(" AND phase = :phase");
            params.and("phase", phase);
        }
        if (cursor != null) {
            query.append(" AND (createdAt < :at OR (createdAt = :at AND id < :id))");
            params.and("at", cursor.at()).and("id", cursor.id());
        }
        query.append(" ORDER BY createdAt DESC, id DESC");
        return Backup.<Backup>find(query.toString(), params).page(0, limit).list();
    }



    /**
     * What a real incident at {@code at} would restore: the newest backup of the source that had completed and
     * been verified good by then (and is not expired). Its recovery point is the source's recovery point at {@code at}.
     */
    public Optional<Backup> newestVerified(String source, Instant at) {
        sources.get(source);
        return Backup.<Backup>find("source = ?1 AND phase = ?2 AND verifiedOk = true AND expiredAt IS NULL "
                + "AND completedAt <= ?3 AND verifiedAt <= ?3 ORDER BY recoveryPointAt DESC", source, BackupPhase.Completed, at)
                .firstResultOptional();
    }

    public List<Backup> newestCompletedPerSource() {
        List<Backup> newest = new ArrayList<>();
        for (Source s : sources.list()) {
            Backup.<Backup>find("source = ?1 AND phase = ?2 AND expiredAt IS NULL ORDER BY recoveryPointAt DESC",
                    s.name, BackupPhase.Completed).firstResultOptional().ifPresent(newest::add);
        }
        return newest;
    }
}
