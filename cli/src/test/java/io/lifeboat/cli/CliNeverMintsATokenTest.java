package io.lifeboat.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CLI sends only the token it was given: without {@code --token} or {@code LIFEBOAT_TOKEN} it calls no
 * service at all and says, in one line, how to get a token.
 */
class CliNeverMintsATokenTest {

    private HttpServer backupService;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final PrintStream originalErr = System.err;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws IOException {
        backupService = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backupService.createContext("/", exchange -> {
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] body = "{\"items\":[],\"nextCursor\":null}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        backupService.start();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        System.setErr(originalErr);
        backupService.stop(0);
        CliOptions.environment = System.getenv();
    }

    private String backupUrl() {
        return "http://127.0.0.1:" + backupService.getAddress().getPort();
    }

    @Test
    void withoutATokenItCallsNothingAndSaysHowToGetOne() {
        CliOptions.environment = Map.of("LIFEBOAT_BACKUP_URL", backupUrl());
        int exit = LifeboatCli.run("backups");
        assertNotEquals(0, exit);
        assertTrue(authorizations.isEmpty(), "no request may reach a service without a token: " + authorizations);
        String message = err.toString(StandardCharsets.UTF_8).strip();
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.contains("LIFEBOAT_TOKEN") && message.contains("--token"), message);
    }

    @Test
    void itSendsExactlyTheTokenItWasGiven() {
        CliOptions.environment = Map.of("LIFEBOAT_BACKUP_URL", backupUrl(), "LIFEBOAT_TOKEN", "given-token");
        assertEquals(0, LifeboatCli.run("backups"));
        assertEquals(List.of("Bearer given-token"), authorizations);
    }
}
