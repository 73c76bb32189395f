package io.lifeboat.restore.restore;

import io.lifeboat.events.EventCodec;
import io.lifeboat.events.restore.RestoreRequested;
import io.lifeboat.events.storage.BackupManifest;
import io.lifeboat.outbox.Outbox;
import io.lifeboat.http.ApiException;
import io.lifeboat.http.FinalPhaseWait;
import io.lifeboat.http.Paging;
import io.lifeboat.bucket.BackupBucket;
import io.lifeboat.bucket.wal.WalArchive;
import io.lifeboat.restore.target.Target;
import io.lifeboat.restore.target.TargetKind;
import io.lifeboat.restore.target.TargetService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Parameters;
import io.quarkus.security.identity.SecurityIdentity;
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

/**
 * Owns restores: checks the request (source, backup, target, the production safety rules) synchronously so a
 * bad request is a 4xx and nothing starts; then records the restore and hands it to the runner.
 */
@ApplicationScoped
public class RestoreService {

    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TargetService targets;
    private final BackupBucket bucket;
    private final RestoreRunner runner;
    private final RestoreSafety safety;
    private final Outbox outbox;
    private final WalArchive walArchive;
    private final FinalPhaseWait finalPhases;

    public RestoreService(TargetService targets, BackupBucket bucket, RestoreRunner runner, RestoreSafety safety,
                          Outbox outbox, WalArchive walArchive, FinalPhaseWait finalPhases) {
        this.walArchive = walArchive;
        this.finalPhases = finalPhases;
        this.targets = targets;
        this.bucket = bucket;
        this.runner = runner;
        this.safety = safety;
        this.outbox = outbox;
    }

    public Restore request(RestoreRequest r, SecurityIdentity identity, String actor) {
        RestoreMode mode = r.mode() == null ? RestoreMode.NEW : r.mode();
        RestoreReason reason = r.reason() == null ? RestoreReason.manual : r.reason();
        if (reason == RestoreReason.drill && (r.drillId() == null || r.drillId().isBlank())) {
            throw ApiException.badField("drillId", "is required when reason is drill");
        }
        if (reason == RestoreReason.incident && (r.incidentId() == null || r.incidentId().isBlank())) {
            throw ApiException.badField("incidentId", "is required when reason is incident");
        }
        Target target = QuarkusTransaction.requiringNew().call(() -> resolveTarget(r));
        safety.checkAuthority(identity, target, mode, reason, r.confirm());
        if (mode == RestoreMode.REPLACE && r.restoreAs() != null) {
            throw ApiException.badField("restoreAs", "only applies to mode new (replace restores under the target's own name)");
        }
        List<CheckSpec> checks = r.checks() == null ? List.of() : r.checks();
        for (int i = 0; i < checks.size(); i++) {
            checkSpec("checks[" + i + "]", checks.get(i), target.kind);
        }
        safety.checkUrls(target, checks);
        BackupBucket.Catalog catalog = bucket.catalog(r.source());
        Optional<RecoverySelection.Choice> pointInTime = RecoverySelection.choose(r.source(), r.backup(), catalog, walArchive);
        BackupManifest manifest = pointInTime.map(RecoverySelection.Choice::base)
                .orElseGet(() -> BackupSelection.choose(r.source(), r.backup(), catalog, bucket.name()));
        if (!manifest.kind().equals(target.kind.name())) {
            throw ApiException.badField("target", "target '" + target.name + "' is a " + target.kind
                    + " target but backup " + manifest.backupId() + " is a " + manifest.kind() + " backup");
        }
        String restoredAs = safety.placement(target, mode, r.restoreAs());
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Restore restore = new Restore();
        restore.id = "restore-" + r.source() + "-" + ID_TIME.format(now) + "-"
                + HexFormat.of().formatHex(new byte[]{(byte) RANDOM.nextInt(), (byte) RANDOM.nextInt()});
        restore.source = r.source();
        restore.backupId = manifest.backupId();
        restore.backupSelector = BackupSelection.describe(r.backup());
        restore.recoveryPointAt = pointInTime.map(RecoverySelection.Choice::recoveryPoint).orElse(manifest.recoveryPointAt());
        restore.recoveryTarget = pointInTime.map(RecoverySelection.Choice::recoveryTarget).orElse(null);
        restore.recoveryTargetAt = pointInTime.map(RecoverySelection.Choice::targetAt).orElse(null);
        restore.target = target.name;
        restore.targetKind = target.kind.name();
        restore.mode = mode;
        restore.reason = reason;
        restore.incidentId = r.incidentId();
        restore.drillId = r.drillId();
        restore.actor = actor;
        restore.phase = RestorePhase.New;
        restore.requestedAt = now;
        restore.bytesTotal = manifest.storedBytes() + (manifest.chunks() == null ? 0 : manifest.chunks().chunkBytes());
        restore.restoredAs = restoredAs;
        restore.requestedChecks = new ArrayList<>(checks);
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                Optional<Restore> running = active(target.name);
                if (running.isPresent()) {
                    throw conflict(running.get());
                }
                restore.persistAndFlush();
                outbox.append(actor, new RestoreRequested(restore.id, restore.source, restore.backupSelector, restore.target,
                        mode.name().toLowerCase(), reason.name(), restore.incidentId, restore.drillId, now));
            });
        } catch (PersistenceException e) {
            throw active(target.name).map(RestoreService::conflict).orElseThrow(() -> e);
        }
        runner.submit(restore.id, manifest);
        return restore;
    }

    private Target resolveTarget(RestoreRequest r) {
        if (r.target() != null) {
            return targets.get(r.target());
        }
        return targets.homeOf(r.source()).orElseThrow(() -> ApiException.badField("target",
                "no target named and source '" + r.source() + "' has no home target; name one, or register one with "
                        + "PUT /targets/{name} {\"source\": \"" + r.source() + "\", ...}"));
    }

    private static void checkSpec(String field, CheckSpec c, TargetKind kind) {
        switch (c.type()) {
            case ROW_COUNT, MAX_TIMESTAMP -> {
                if (kind != TargetKind.postgres) {
                    throw ApiException.badField(field + ".type", "SQL checks only apply to postgres targets");
                }
                if (c.table() == null) throw ApiException.badField(field + ".table", "is required for a " + c.type() + " check");
                if (c.type() == CheckSpec.Type.MAX_TIMESTAMP && c.column() == null) {
                    throw ApiException.badField(field + ".column", "is required for a max-timestamp check");
                }
            }
            case HTTP -> {
                if (c.url() == null) throw ApiException.badField(field + ".url", "is required for an http check");
            }
        }
        if (c.tolerance() != null && c.tolerance().isNegative()) {
            throw ApiException.badField(field + ".tolerance", "must not be negative");
        }
    }

    private static ApiException conflict(Restore running) {
        return ApiException.conflict("a restore into target '" + running.target + "' is already running: " + running.id
                + " (" + running.phase + "); wait for it (GET /restores/" + running.id + ")");
    }

    public Optional<Restore> active(String target) {
        return QuarkusTransaction.requiringNew().call(() -> Restore.<Restore>find("target = ?1 AND phase IN ?2", target,
                List.of(RestorePhase.New, RestorePhase.InProgress, RestorePhase.Verifying)).firstResultOptional());
    }

    /** The restore as it is once Completed or Failed, or after {@code wait} ({@link FinalPhaseWait}). */
    public RestoreView view(String id, Duration wait) {
        return finalPhases.await(() -> QuarkusTransaction.requiringNew().call(() -> RestoreView.of(get(id))),
                v -> !v.phase().active(), wait);
    }

    public Restore get(String id) {
        Restore r = Restore.findById(id);
        if (r == null) {
            throw ApiException.notFound("restore '" + id + "' does not exist; GET /restores lists them");
        }
        return r;
    }

    public List<Restore> list(Paging.Cursor cursor, int limit) {
        if (cursor == null) {
            return Restore.<Restore>find("ORDER BY requestedAt DESC, id DESC").page(0, limit).list();
        }
        return Restore.<Restore>find("requestedAt < :at OR (requestedAt = :at AND id < :id) ORDER BY requestedAt DESC, id DESC",
                Parameters.with("at", cursor.at()).and("id", cursor.id())).page(0, limit).list();
    }

    static String json(Object o) {
        return EventCodec.toJson(o);
    }
}
