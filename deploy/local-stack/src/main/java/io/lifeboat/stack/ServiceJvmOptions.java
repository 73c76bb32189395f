package io.lifeboat.stack;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** How each service's JVM compiles its code and holds its heap: what a data-path service needs differs from the others. */
final class ServiceJvmOptions {

    /**
     * Services that hash every byte they move keep the C2 compiler: SHA-256 and CRC32C run as CPU intrinsics only
     * in C2-compiled code (measured: a 1.1 GiB directory backup took 28.6 s under C1 only, 12.2 s with C2). The
     * others start faster with C1 alone.
     */
    private static final Set<String> DATA_PATH = Set.of("backup-service", "restore-service");

    /**
     * The JDK's ciphers and digests compile after a twentieth of HotSpot's default count: AES-GCM, which decrypts
     * every chunk and archive segment, runs at ~85 MB/s until C2 compiles it (3 GB/s after), and with the default
     * thresholds that took ~600 MiB of decryption, most of a restore after a start, and the first restore after a
     * disaster is one. Scoped to those packages: the same scaling for the whole JVM cost 6 CPU-s at start. The same
     * flags are in the services' container images (Dockerfile.jvm).
     */
    private static final List<String> DATA_PATH_JIT = List.of("-XX:CompileCommand=quiet",
            "-XX:CompileCommand=CompileThresholdScaling,com/sun/crypto/provider/*.*,0.05",
            "-XX:CompileCommand=CompileThresholdScaling,sun/security/provider/*.*,0.05");

    /**
     * The data-path services' heap is touched once, at start (256 MiB, a fraction of a second): else the first
     * backup or restore after a start pays for it, its collections copying into heap pages for the first time, and
     * on a VM whose host takes back the memory its guest frees (free page reporting, as on these machines) each such
     * page is a fault the host serves. Measured on restore-service's first restore after a start (a 1.1 GiB chunked
     * snapshot): 6.47, 6.29, 5.66 s without, 5.04, 4.89, 4.56 s with; its young collections' CPU fell by two thirds.
     */
    private static final String PRETOUCHED_HEAP = "-XX:+AlwaysPreTouch";

    /** C1 only: starts faster on two cores. */
    private static final List<String> C1_ONLY = List.of("-XX:TieredStopAtLevel=1");

    private ServiceJvmOptions() {
    }

    static List<String> of(String service) {
        if (!DATA_PATH.contains(service)) {
            return C1_ONLY;
        }
        List<String> options = new ArrayList<>(DATA_PATH_JIT);
        options.add(PRETOUCHED_HEAP);
        return options;
    }
}
