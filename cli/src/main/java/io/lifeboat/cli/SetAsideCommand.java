package io.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** `lifeboat set-aside TARGET [--delete COPY --confirm COPY]`: the damaged data replace restores moved aside. */
@Command(name = "set-aside", description = "List the copies replace restores moved aside beside a target (size, age); "
        + "an admin deletes one with --delete COPY --confirm COPY.")
public final class SetAsideCommand implements Callable<Integer> {

    @Mixin
    CliOptions options;

    @Parameters(index = "0", description = "target name, e.g. analytics-db-home")
    String target;

    @Option(names = "--delete", description = "delete this copy for good (admin)")
    String delete;

    @Option(names = "--confirm", description = "repeat the copy's name to delete it")
    String confirm;

    @Override
    public Integer call() {
        Api api = options.api();
        String base = "/targets/" + URLEncoder.encode(target, StandardCharsets.UTF_8) + "/set-aside";
        if (delete != null) {
            api.delete("restore-service", base + "/" + URLEncoder.encode(delete, StandardCharsets.UTF_8)
                    + (confirm == null ? "" : "?confirm=" + URLEncoder.encode(confirm, StandardCharsets.UTF_8)));
            System.out.println("deleted " + delete);
            return 0;
        }
        JsonNode copies = api.get("restore-service", base);
        if (options.json()) {
            Out.json(System.out, copies);
        } else if (copies.isEmpty()) {
            System.out.println("nothing is set aside beside " + target);
        } else {
            Out.table(System.out, copies, new String[]{"COPY", "SIZE BYTES", "SET ASIDE AT", "AGE", "WHERE"},
                    new String[]{"name", "sizeBytes", "setAsideAt", "age", "location"});
        }
        return 0;
    }
}
