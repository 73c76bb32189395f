package io.lifeboat.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the operator verbs of `./lifeboat` (the launcher hands up/down/status/token to the local stack). */
@Command(name = "lifeboat", mixinStandardHelpOptions = true, subcommands = {
        BackupCommands.ListBackups.class, BackupCommands.RunBackup.class, BackupCommands.Verify.class,
        RestoreCommand.class, WindowCommand.class, SetAsideCommand.class, IncidentCommands.class, IncidentCommands.Report.class,
        DrillCommands.class, DrillCommands.Calendar.class, DrillCommands.Rpo.class},
        description = "Drives a Lifeboat platform over its HTTP APIs: backups, restores, incidents, reports, drills.")
public final class LifeboatCli {

    /** Exit codes: 0 success, 1 the operation failed, 2 bad usage, 3 the API refused, 4 a service is unreachable. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        CommandLine cli = new CommandLine(new LifeboatCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("lifeboat: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            if (e instanceof Api.Failure failure) {
                return failure.unreachable() ? 4 : 3;
            }
            return 1;
        });
        return cli.execute(args);
    }
}
