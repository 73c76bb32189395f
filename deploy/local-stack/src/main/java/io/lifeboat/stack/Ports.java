package io.lifeboat.stack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** Loopback port helpers. */
public final class Ports {
    /*
     * Test servers take ports below Linux's ephemeral range (32768-60999): a port picked there can be taken by
     * any outgoing connection between the pick and the server's bind, which then fails with "Address already in
     * use". 24000-32000 also stays clear of the fixed ports the script tests and benchmarks use (21xxx-23xxx).
     */
    private static final int FIRST = 24_000;
    private static final int LAST = 32_000;
    /** Ports already handed out by this JVM: a server may not have bound its port yet when the next is picked. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private Ports() {
    }

    public static int free() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int candidate = ThreadLocalRandom.current().nextInt(FIRST, LAST);
            if (bindable(candidate) && HANDED_OUT.add(candidate)) {
                return candidate;
            }
        }
        throw new StackException("no free port on 127.0.0.1 between " + FIRST + " and " + LAST);
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
