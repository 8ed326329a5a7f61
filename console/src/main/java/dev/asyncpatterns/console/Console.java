package dev.asyncpatterns.console;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import com.sun.net.httpserver.HttpServer;
import dev.asyncpatterns.core.internal.Checks;
import dev.asyncpatterns.core.time.Cancellable;
import dev.asyncpatterns.core.time.TimeSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embeddable live web console: a page that shows the figures of the components the
 * application registers, updated live, and the dead letters of its retry queues with Replay and
 * Purge.
 *
 * {@snippet class=dev.asyncpatterns.console.ConsoleSnippets region=embed}
 *
 * <p><b>What the page shows.</b> One panel per registered {@link Panel} (state, figures, and a
 * chart of each figure over the last {@linkplain Builder#history(Duration) minutes}: gauges by
 * value, counters by rate per second), pushed to the browser with Server-Sent Events every
 * {@linkplain Builder#refreshInterval(Duration) refresh interval}; and the dead letters of every
 * registered {@link DeadLetterSource} with their attempt histories.
 *
 * <p><b>Security.</b>
 * <ul>
 *   <li>It binds to the loopback address unless told otherwise, and then answers only requests
 *       whose {@code Host} is a loopback name (no DNS rebinding).
 *   <li>Replay and Purge change state: they are {@code POST}s that need the
 *       {@linkplain Builder#token(String) token} the application configured, sent in the
 *       {@code X-Console-Token} header (compared in constant time), and are refused when the
 *       browser says the request is cross-site ({@code Origin} not this console, or
 *       {@code Sec-Fetch-Site} other than {@code same-origin}). A custom header cannot be sent
 *       cross-origin without a CORS preflight, which the console never grants. Without a token
 *       configured, the console is read-only.
 *   <li>Job payloads and error messages are untrusted: the page inserts them as text, never as
 *       markup, the JSON escapes {@code < > & '}, and a Content-Security-Policy forbids inline
 *       scripts. Readers without the token see neither payloads nor error messages (only the
 *       exception's class) unless {@link Builder#revealDetails(boolean)} allows it. Stack traces
 *       are never sent.
 * </ul>
 *
 * <p><b>Threads.</b> Requests run on virtual threads (one per request or live stream, at most
 * {@linkplain Builder#maxClients(int) max clients} streams); panels are read on the refresh timer
 * of the console's {@link TimeSource}, outside the console's lock. No console thread inherits the
 * creator's inheritable thread-locals. {@link #close()} stops the server, ends the live streams and
 * cancels the refresh timer.
 *
 * @since 0.1.0
 */
public final class Console implements AutoCloseable {

    /*
     * Maintainer's note. One refresh tick (a TimeSource timer, re-armed by itself) reads every
     * panel outside the lock, appends to the history, renders one JSON snapshot and hands it to
     * each live client's one-slot mailbox (the newest snapshot replaces an unsent older one, so a
     * slow browser costs one string, never a backlog). Each client's virtual thread takes from its
     * mailbox and writes; a failed write ends that client. close() flips `closed`, cancels the
     * timer, poisons every mailbox and stops the HttpServer.
     */

    private static final Logger LOG = LoggerFactory.getLogger(Console.class);

    /** Default refresh interval. */
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(1);
    /** Default length of the charts' history. */
    public static final Duration DEFAULT_HISTORY = Duration.ofMinutes(5);
    /** Default bound on live streams. */
    public static final int DEFAULT_MAX_CLIENTS = 16;

    final Duration refreshInterval;
    final List<Panel> panels;
    final Map<String, DeadLetterSource> sources;
    final byte @Nullable [] token; // null: read-only console
    final boolean revealDetails;
    final int maxClients;
    final TimeSource time;
    final History history;
    final boolean loopbackOnly;

    private final HttpServer server;
    private final ExecutorService requests;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantLock lock = new ReentrantLock();

    @GuardedBy("lock")
    private final List<Stream> streams = new ArrayList<>();

    private volatile String latest;
    private volatile @Nullable Cancellable tick;

    private Console(Builder b) throws IOException {
        InetAddress address = b.address != null ? b.address : InetAddress.getLoopbackAddress();
        this.refreshInterval = b.refreshInterval != null ? b.refreshInterval : DEFAULT_REFRESH_INTERVAL;
        this.panels = List.copyOf(b.panels.values());
        this.sources = Map.copyOf(b.sources);
        this.token = b.token == null ? null : b.token.getBytes(StandardCharsets.UTF_8);
        this.revealDetails = b.revealDetails != null && b.revealDetails;
        this.maxClients = b.maxClients != null ? b.maxClients : DEFAULT_MAX_CLIENTS;
        this.time = b.time != null ? b.time : TimeSource.system();
        this.loopbackOnly = address.isLoopbackAddress();
        Duration kept = b.history != null ? b.history : DEFAULT_HISTORY;
        int points = (int) Math.max(2, Math.min(3600, kept.toMillis() / Math.max(1, refreshInterval.toMillis())));
        this.history = new History(points);
        this.requests = Executors.newThreadPerTaskExecutor(Thread.ofVirtual()
                .name("async-patterns-console-", 0)
                .inheritInheritableThreadLocals(false)
                .factory());
        this.server = HttpServer.create(new InetSocketAddress(address, b.port != null ? b.port : 0), 0);
        server.setExecutor(requests);
        server.createContext("/", new Handlers(this));
        this.latest = render();
    }

    /**
     * A builder for a console.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The address the page is served on, e.g. {@code http://127.0.0.1:8089/}.
     *
     * @return the page's URI
     */
    public URI uri() {
        InetSocketAddress bound = server.getAddress();
        String host = bound.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + bound.getPort() + "/");
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Stops serving: cancels the refresh timer, ends the live streams, stops the HTTP server and
     * its request threads. Idempotent; returns after the server stopped.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Cancellable armed = tick;
        if (armed != null) {
            armed.cancel();
        }
        List<Stream> ending;
        lock.lock();
        try {
            ending = List.copyOf(streams);
            streams.clear();
        } finally {
            lock.unlock();
        }
        ending.forEach(Stream::end);
        server.stop(0);
        requests.shutdownNow();
    }

    @Override
    public String toString() {
        return "Console[" + uri() + (closed.get() ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------ refresh

    private void start() {
        server.start();
        arm();
    }

    private void arm() {
        if (closed.get()) {
            return;
        }
        tick = time.schedule(refreshInterval, this::refresh);
        if (closed.get()) {
            tick.cancel();
        }
    }

    private void refresh() {
        try {
            String snapshot = render();
            latest = snapshot;
            List<Stream> live;
            lock.lock();
            try {
                live = List.copyOf(streams);
            } finally {
                lock.unlock();
            }
            for (Stream stream : live) {
                stream.offer(snapshot);
            }
        } catch (RuntimeException | Error e) {
            LOG.warn("console refresh failed", e);
        } finally {
            arm();
        }
    }

    /** Reads every panel (outside the lock) and renders the snapshot; appends to the history. */
    private String render() {
        long at = time.instant().toEpochMilli();
        Json json = new Json()
                .beginObject()
                .name("at")
                .value(at)
                .name("interval")
                .value(refreshInterval.toMillis())
                .name("panels")
                .beginArray();
        for (Panel panel : panels) {
            Panel.Reading reading;
            String error = null;
            try {
                reading = Objects.requireNonNull(panel.read(), "reading");
            } catch (RuntimeException e) {
                LOG.debug("console panel {} failed to read", panel.name(), e);
                reading = new Panel.Reading("", List.of());
                error = e.getClass().getSimpleName();
            }
            json.beginObject()
                    .name("name")
                    .value(panel.name())
                    .name("kind")
                    .value(panel.kind())
                    .name("state")
                    .value(reading.state())
                    .name("error")
                    .value(error)
                    .name("figures")
                    .beginArray();
            for (Figure figure : reading.figures()) {
                history.add(panel.name(), figure.name(), at, figure.value());
                json.beginObject()
                        .name("name")
                        .value(figure.name())
                        .name("value")
                        .value(figure.value())
                        .name("kind")
                        .value(figure.kind().name().toLowerCase(java.util.Locale.ROOT))
                        .endObject();
            }
            json.endArray().endObject();
        }
        return json.endArray().endObject().toString();
    }

    String latest() {
        return latest;
    }

    /** Registers a live stream, or returns false when the bound is reached or the console closed. */
    boolean register(Stream stream) {
        lock.lock();
        try {
            if (closed.get() || streams.size() >= maxClients) {
                return false;
            }
            streams.add(stream);
            return true;
        } finally {
            lock.unlock();
        }
    }

    void unregister(Stream stream) {
        lock.lock();
        try {
            streams.remove(stream);
        } finally {
            lock.unlock();
        }
    }

    int liveStreams() {
        lock.lock();
        try {
            return streams.size();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the request carries the configured token (constant-time comparison). */
    boolean authorized(String presented) {
        return token != null
                && presented != null
                && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ builder

    /**
     * Configures a {@link Console}. Every setting may be given once; {@link #start()} snapshots the
     * configuration and starts serving. Not thread-safe.
     */
    public static final class Builder {
        // null = not given (set-once via Checks.unset); defaults are applied by the console
        private @Nullable InetAddress address;
        private @Nullable Integer port;
        private @Nullable String token;
        private @Nullable Duration refreshInterval;
        private @Nullable Duration history;
        private @Nullable Boolean revealDetails;
        private @Nullable Integer maxClients;
        private @Nullable TimeSource time;
        private final Map<String, Panel> panels = new LinkedHashMap<>();
        private final Map<String, DeadLetterSource> sources = new LinkedHashMap<>();

        private Builder() {}

        /**
         * The address to bind. Default: the loopback address, reachable from this machine only.
         * Binding elsewhere exposes the page (read-only without the token) to that network.
         *
         * @param address the address
         * @return this builder
         * @throws NullPointerException if {@code address} is null
         * @throws IllegalStateException if already set
         */
        public Builder address(InetAddress address) {
            Objects.requireNonNull(address, "address");
            Checks.unset(this.address, "address");
            this.address = address;
            return this;
        }

        /**
         * The port. Default 0: a free port, see {@link Console#uri()}.
         *
         * @param port 0 to 65535
         * @return this builder
         * @throws IllegalArgumentException if out of range
         * @throws IllegalStateException if already set
         */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be 0 to 65535, was " + port);
            }
            Checks.unset(this.port, "port");
            this.port = port;
            return this;
        }

        /**
         * The operator token that Replay and Purge require (and that reveals payloads and error
         * messages to its holder). Without one the console is read-only. Keep it out of source
         * code: read it from the environment or a secret store.
         *
         * @param token at least 16 characters
         * @return this builder
         * @throws NullPointerException if {@code token} is null
         * @throws IllegalArgumentException if shorter than 16 characters or has control characters
         * @throws IllegalStateException if already set
         */
        public Builder token(String token) {
            Objects.requireNonNull(token, "token");
            if (token.length() < 16 || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                throw new IllegalArgumentException(
                        "token must be at least 16 printable ASCII characters without spaces, was " + token.length()
                                + " characters");
            }
            Checks.unset(this.token, "token");
            this.token = token;
            return this;
        }

        /**
         * How often panels are read and pushed to the page. Default 1 s.
         *
         * @param interval at least 50 ms
         * @return this builder
         * @throws NullPointerException if {@code interval} is null
         * @throws IllegalArgumentException if shorter than 50 ms
         * @throws IllegalStateException if already set
         */
        public Builder refreshInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.compareTo(Duration.ofMillis(50)) < 0) {
                throw new IllegalArgumentException(
                        "interval must be at least 50 ms, was " + interval.toMillis() + " ms");
            }
            Checks.unset(this.refreshInterval, "refreshInterval");
            this.refreshInterval = interval;
            return this;
        }

        /**
         * How far back the charts go (at most 3,600 points are kept per figure). Default 5 minutes.
         *
         * @param history positive
         * @return this builder
         * @throws NullPointerException if {@code history} is null
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if already set
         */
        public Builder history(Duration history) {
            Objects.requireNonNull(history, "history");
            if (history.isNegative() || history.isZero()) {
                throw new IllegalArgumentException("history must be positive, was " + history);
            }
            Checks.unset(this.history, "history");
            this.history = history;
            return this;
        }

        /**
         * Whether readers without the token may see job payloads and error messages. Default
         * false: they see figures, letter ids, attempt counts and exception class names only.
         * Stack traces are never sent.
         *
         * @param reveal true to show details to every reader
         * @return this builder
         * @throws IllegalStateException if already set
         */
        public Builder revealDetails(boolean reveal) {
            Checks.unset(this.revealDetails, "revealDetails");
            this.revealDetails = reveal;
            return this;
        }

        /**
         * At most this many live pages at once; more get HTTP 503. Default 16.
         *
         * @param maxClients 1 to 1,000
         * @return this builder
         * @throws IllegalArgumentException if out of range
         * @throws IllegalStateException if already set
         */
        public Builder maxClients(int maxClients) {
            if (maxClients < 1 || maxClients > 1_000) {
                throw new IllegalArgumentException("maxClients must be 1 to 1000, was " + maxClients);
            }
            Checks.unset(this.maxClients, "maxClients");
            this.maxClients = maxClients;
            return this;
        }

        /**
         * The clock of the refresh timer and the charts. Default: the system clock.
         *
         * @param time the time source
         * @return this builder
         * @throws NullPointerException if {@code time} is null
         * @throws IllegalStateException if already set
         */
        public Builder timeSource(TimeSource time) {
            Objects.requireNonNull(time, "time");
            Checks.unset(this.time, "timeSource");
            this.time = time;
            return this;
        }

        /**
         * Shows a panel.
         *
         * @param panel the panel
         * @return this builder
         * @throws NullPointerException if {@code panel} is null
         * @throws IllegalArgumentException if a panel of that name was added already
         */
        public Builder panel(Panel panel) {
            Objects.requireNonNull(panel, "panel");
            String name = Views.requireWord(panel.name(), "panel.name()");
            if (panels.putIfAbsent(name, panel) != null) {
                throw new IllegalArgumentException("a panel named \"" + name + "\" was added already");
            }
            return this;
        }

        /**
         * Lists the dead letters of a source, with Replay and Purge.
         *
         * @param source the source
         * @return this builder
         * @throws NullPointerException if {@code source} is null
         * @throws IllegalArgumentException if a source of that name was added already
         */
        public Builder deadLetters(DeadLetterSource source) {
            Objects.requireNonNull(source, "source");
            String name = Views.requireWord(source.name(), "source.name()");
            if (sources.putIfAbsent(name, source) != null) {
                throw new IllegalArgumentException("a dead-letter source named \"" + name + "\" was added already");
            }
            return this;
        }

        /**
         * Binds the port, starts serving and starts the refresh timer.
         *
         * @return the running console; close it to stop
         * @throws UncheckedIOException if the address cannot be bound
         */
        public Console start() {
            Console console;
            try {
                console = new Console(this);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "console: cannot bind " + (address == null ? "loopback" : address.getHostAddress()) + ":"
                                + (port == null ? 0 : port),
                        e);
            }
            console.start();
            LOG.debug("console serving {}", console.uri());
            return console;
        }
    }
}
