package dev.asyncpatterns.core.snippets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.core.future.Blocking;
import dev.asyncpatterns.core.future.Tasks;
import dev.asyncpatterns.core.scope.TaskScope;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Javadoc examples of {@link Tasks}, {@link TaskScope} and {@link Blocking}: each region is shown
 * in the class's javadoc with {@code {@snippet class=... region=...}}, so the examples compile and
 * run.
 */
class TasksSnippets {

    // ---------------------------------------------------------------- Tasks

    private final String url = "https://example.com/big.iso";
    private final CountDownLatch downloadStarted = new CountDownLatch(1);
    private final CompletableFuture<String> downloadInterrupted = new CompletableFuture<>();

    /** Blocks like a slow socket read until its thread is interrupted. */
    private String download(String url) throws InterruptedException {
        downloadStarted.countDown();
        try {
            new CountDownLatch(1).await();
            return "never";
        } catch (InterruptedException e) {
            downloadInterrupted.complete(url);
            throw e;
        }
    }

    @Test
    void tasksStart_cancelInterruptsTheRunningTask() throws Exception {
        // The hidden await makes sure download() is running before the cancel, so the test
        // always sees the interrupt (a task cancelled before it starts never runs at all).
        // @start region=tasksStart
        // @replace substring=" downloadStarted.await();" replacement="":
        CompletableFuture<String> body = Tasks.start(() -> download(url));
        downloadStarted.await(); // on a new virtual thread
        body.cancel(true); // interrupts download()
        // @end

        assertThat(body).isCancelled();
        assertThat(downloadInterrupted.get(10, TimeUnit.SECONDS)).isEqualTo(url);
    }

    // ---------------------------------------------------------------- TaskScope

    record User(String id) {}

    record Order(String id) {}

    record Page(User user, List<Order> orders) {}

    private final CompletableFuture<Void> userLoading = new CompletableFuture<>();
    private final CompletableFuture<String> userInterrupted = new CompletableFuture<>();
    private volatile boolean userBlocks;

    /** Loads a user, blocking; when {@link #userBlocks}, until interrupted. */
    private User loadUser(String id) throws InterruptedException {
        userLoading.complete(null);
        if (userBlocks) {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                userInterrupted.complete(id);
                throw e;
            }
        }
        return new User(id);
    }

    /** An asynchronous client; when {@link #down}, it fails once the user is being loaded. */
    private final class OrdersClient {
        volatile IOException down;

        CompletableFuture<List<Order>> fetch(String id) {
            if (down != null) {
                return userLoading.thenCompose(started -> CompletableFuture.failedFuture(down));
            }
            return CompletableFuture.completedFuture(List.of(new Order(id + "-1"), new Order(id + "-2")));
        }
    }

    private final OrdersClient ordersClient = new OrdersClient();

    private Page loadPage(String id) throws ExecutionException, InterruptedException {
        // @start region=taskScope
        try (var scope = TaskScope.open()) { // fail fast
            CompletableFuture<User> user = scope.fork(() -> loadUser(id));
            CompletableFuture<List<Order>> orders = scope.forkAsync(() -> ordersClient.fetch(id));
            scope.joinBlocking(); // first failure cancels the rest
            return new Page(user.resultNow(), orders.resultNow());
        } // close(): cancels and awaits leftovers
        // @end
    }

    @Test
    void taskScope_joinsBothForksIntoOnePage() throws Exception {
        Page page = loadPage("u1");

        assertThat(page.user()).isEqualTo(new User("u1"));
        assertThat(page.orders()).containsExactly(new Order("u1-1"), new Order("u1-2"));
    }

    @Test
    void taskScope_firstFailureCancelsTheOtherFork() {
        userBlocks = true;
        IOException down = new IOException("orders service down");
        ordersClient.down = down;

        assertThatThrownBy(() -> loadPage("u2"))
                .isInstanceOf(ExecutionException.class)
                .hasCause(down);
        // close() awaited the user fork, which was interrupted instead of blocking forever
        assertThat(userInterrupted).isCompletedWithValue("u2");
    }

    // ---------------------------------------------------------------- Blocking

    @TempDir
    Path dir;

    private static BigInteger searchPrime(int bits) {
        return BigInteger.probablePrime(bits, new Random(bits));
    }

    @Test
    void blocking_callReadsAFileAndCpuSearchesAPrime() throws Exception {
        Path path = Files.writeString(dir.resolve("hello.txt"), "hello, blocking world");
        int bits = 256;

        // @start region=blocking
        CompletableFuture<byte[]> file = Blocking.call(() -> Files.readAllBytes(path)); // virtual thread
        CompletableFuture<BigInteger> prime = Blocking.cpu(() -> searchPrime(bits)); // CPU pool
        // @end

        assertThat(new String(file.get(30, TimeUnit.SECONDS), StandardCharsets.UTF_8))
                .isEqualTo("hello, blocking world");
        assertThat(prime.get(30, TimeUnit.SECONDS).bitLength()).isEqualTo(bits);
        assertThat(prime.join().isProbablePrime(64)).isTrue();
    }
}
