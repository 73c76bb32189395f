package io.lifeboat.postgres;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Host names of protected servers: what may be stored, and whether two names are the same server. */
public final class Hosts {

    private static final Pattern HOSTNAME = Pattern.compile(
            "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private Hosts() {
    }

    /** Why {@code host} is not a host name or IP address, or empty when it is. */
    public static Optional<String> problem(String host) {
        if (host == null || host.isBlank()) {
            return Optional.of("is required: a host name or IP address");
        }
        if (host.length() > 253 || !(HOSTNAME.matcher(host).matches() || host.contains(":") && IPV6.matcher(host).matches())) {
            return Optional.of("must be a host name or IP address (letters, digits, '-', '.' or an IPv6 address; no '/', '?', '&', '=' or spaces)");
        }
        return Optional.empty();
    }

    /** True when both names reach the same server: equal, both loopback, or resolving to a shared address. */
    public static boolean sameServer(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        if (a.equalsIgnoreCase(b)) {
            return true;
        }
        Set<InetAddress> left = addresses(a);
        Set<InetAddress> right = addresses(b);
        if (left.stream().anyMatch(InetAddress::isLoopbackAddress) && right.stream().anyMatch(InetAddress::isLoopbackAddress)) {
            return true;
        }
        left.retainAll(right);
        return !left.isEmpty();
    }

    private static Set<InetAddress> addresses(String host) {
        try {
            return new HashSet<>(Arrays.asList(InetAddress.getAllByName(host.toLowerCase(Locale.ROOT))));
        } catch (UnknownHostException | SecurityException e) {
            return new HashSet<>();
        }
    }
}
