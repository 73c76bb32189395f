package io.lifeboat.stack;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** How each service's JVM compiles its code and sizes its heap: a data-path service needs other options. */
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
     * The data-path services' heap is touched once, at start (a fraction of a second): else the first backup or
     * restore after a start pays for it, its collections copying into heap pages for the first time, and on a VM
     * whose host takes back the memory its guest frees (free page reporting, as on these machines) each such page is
     * a fault the host serves. Measured on restore-service's first restore after a start (a 1.1 GiB chunked
     * snapshot): 6.47, 6.29, 5.66 s without, 5.04, 4.89, 4.56 s with; its young collections' CPU fell by two thirds.
     */
    private static final String PRETOUCHED_HEAP = "-XX:+AlwaysPreTouch";

    /**
     * A young generation larger than what a backup or restore holds in flight (a few runs of chunks ahead, up to
     * 8 MiB each, and their decompressed bytes: 60 MiB and more), so those buffers die young. With the default third
     * of a 256 MiB heap (68 MiB of eden) most of them were still alive at each young collection, overflowed the
     * survivor space into the old generation and filled it: restoring a 1.1 GiB chunked snapshot after a start took
     * 30 young and 5-6 full collections (0.5-0.6 s of pauses), its first backup ~60 young and 5-6 full (0.8 s). With
     * 256 MiB young in a 384 MiB heap: 10 young and no full collection (0.09 s) for the restore, 20 and none (0.2 s)
     * for the backup (bench/RESULTS.md). Metaspace starts at 192 MiB (the services use ~110 MiB): growing into it
     * from the default 21 MiB cost four full collections at start and one more as the first restore loaded its
     * classes. The container images ask for the same shape (Dockerfile.jvm: half the heap young).
     */
    private static final List<String> DATA_PATH_HEAP = List.of("-Xmx384m", "-Xmn256m", "-XX:MetaspaceSize=192m");

    /** The others hold no bulk data. */
    private static final List<String> SMALL_HEAP = List.of("-Xmx256m");

    /** C1 only: starts faster on two cores. */
    private static final List<String> C1_ONLY = List.of("-XX:TieredStopAtLevel=1");

    private static final List<String> DATA_PATH_OPTIONS =
            Stream.of(DATA_PATH_JIT, List.of(PRETOUCHED_HEAP), DATA_PATH_HEAP).flatMap(List::stream).toList();
    private static final List<String> OTHER_OPTIONS = Stream.of(C1_ONLY, SMALL_HEAP).flatMap(List::stream).toList();

    private ServiceJvmOptions() {
    }

    /** The JVM options of {@code service}: how it compiles and how large its heap is. */
    static List<String> of(String service) {
        return DATA_PATH.contains(service) ? DATA_PATH_OPTIONS : OTHER_OPTIONS;
    }
}
