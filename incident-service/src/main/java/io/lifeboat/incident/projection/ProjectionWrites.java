package io.lifeboat.incident.projection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * The writes of the projections to their tables: at once (live, in the transaction that stored the event), or
 * collected and run in JDBC batches (the rebuild), keeping the order in which each row saw them. A batching
 * instance given an executor runs each flush there, so the next events are read and parsed while PostgreSQL
 * applies the previous ones; only that executor's thread then uses the connection.
 */
final class ProjectionWrites implements AutoCloseable {

    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    /** Writes waiting for {@link #flush()}; null when every write runs at once. */
    private List<Write> pending;
    /** Where flushes run (null: on the caller's thread), and the one still running there. */
    private final ExecutorService flusher;
    private Future<?> running;

    private record Write(String row, String sql, Object[] args) {
    }

    ProjectionWrites(Connection connection, boolean batching, ExecutorService flusher) {
        this.connection = connection;
        this.pending = batching ? new ArrayList<>() : null;
        this.flusher = flusher;
    }

    /**
     * One write to the projection row named by {@code row} ("table:id"). Live, it runs at once; in a batching
     * projector it waits for {@link #flush()}.
     */
    void exec(String row, String sql, Object... args) throws SQLException {
        if (pending != null) {
            pending.add(new Write(row, sql, args));
            return;
        }
        PreparedStatement statement = prepared(sql);
        bind(statement, args);
        statement.executeUpdate();
    }

    /**
     * Runs the writes collected since the last flush with JDBC batches, in the order each row saw them. Every
     * write changes exactly the one row it names and reads no other, so only writes to the same row must keep
     * their order: the n-th write to each row goes into round n, and a round (in which no row appears twice)
     * runs as one batch per statement.
     */
    void flush() throws SQLException {
        if (pending == null || pending.isEmpty()) {
            return;
        }
        List<Write> writes = pending;
        pending = new ArrayList<>();
        if (flusher == null) {
            run(writes);
            return;
        }
        // one flush in flight and one being collected: memory stays at two flushes' writes
        awaitRunning();
        running = flusher.submit(() -> {
            run(writes);
            return null;
        });
    }

    /** Waits for the flush running on the executor, if any, and rethrows what failed it. */
    void awaitRunning() throws SQLException {
        if (running == null) {
            return;
        }
        try {
            running.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while projection writes ran", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            running = null;
        }
    }

    private void run(List<Write> writes) throws SQLException {
        Map<String, Integer> writesPerRow = new HashMap<>();
        List<List<Write>> rounds = new ArrayList<>();
        for (Write write : writes) {
            int round = writesPerRow.merge(write.row(), 1, Integer::sum) - 1;
            if (rounds.size() == round) {
                rounds.add(new ArrayList<>());
            }
            rounds.get(round).add(write);
        }
        for (List<Write> round : rounds) {
            Set<PreparedStatement> batched = new LinkedHashSet<>();
            for (Write write : round) {
                PreparedStatement statement = prepared(write.sql());
                bind(statement, write.args());
                statement.addBatch();
                batched.add(statement);
            }
            for (PreparedStatement statement : batched) {
                statement.executeBatch();
            }
        }
    }

    private PreparedStatement prepared(String sql) throws SQLException {
        PreparedStatement statement = statements.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            statements.put(sql, statement);
        }
        return statement;
    }

    private static void bind(PreparedStatement statement, Object[] args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object arg = args[i];
            if (arg == null) {
                statement.setNull(i + 1, Types.OTHER);
            } else {
                statement.setObject(i + 1, arg);
            }
        }
    }

    @Override
    public void close() {
        if (running != null) {
            // a failed rebuild rolls back on this connection: the executor must be done with it first
            try {
                awaitRunning();
            } catch (SQLException | RuntimeException ignored) {
                // the caller is already failing with its own error
            }
        }
        for (PreparedStatement s : statements.values()) {
            try {
                s.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }
}
