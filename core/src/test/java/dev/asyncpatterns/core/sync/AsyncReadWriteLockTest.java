package dev.asyncpatterns.core.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncpatterns.testkit.VirtualClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class AsyncReadWriteLockTest {

    private final VirtualClock clock = VirtualClock.create();
    private final AsyncReadWriteLock rw = new AsyncReadWriteLock(clock);

    // ---------------------------------------------------------------- sharing and exclusion

    @Test
    void readLock_manyReadersShare() {
        var a = rw.readLock().join();
        var b = rw.readLock().join();
        assertThat(rw.readers()).isEqualTo(2);
        a.unlock();
        b.unlock();
        assertThat(rw.readers()).isZero();
    }

    @Test
    void writeLock_waitsForReadersAndExcludesEveryone() {
        var reader = rw.readLock().join();
        var writer = rw.writeLock();
        assertThat(writer).isNotDone();
        reader.unlock();
        assertThat(writer).isCompleted();
        assertThat(rw.isWriteLocked()).isTrue();
        var laterReader = rw.readLock();
        assertThat(laterReader).isNotDone();
        writer.join().unlock();
        assertThat(laterReader).isCompleted();
    }

    @Test
    void readLock_writerWaiting_newReadersQueueBehindIt() {
        var reader = rw.readLock().join();
        var writer = rw.writeLock();
        var lateReader = rw.readLock();
        assertThat(lateReader)
                .as("writers are not starved by a stream of readers")
                .isNotDone();
        assertThat(rw.tryReadLock()).isEmpty();
        reader.unlock();
        assertThat(writer).isCompleted();
        assertThat(lateReader).isNotDone();
        writer.join().unlock();
        assertThat(lateReader).isCompleted();
    }

    @Test
    void unlockWriter_consecutiveReadersAtHeadAdmittedTogether() {
        var writer = rw.writeLock().join();
        var r1 = rw.readLock();
        var r2 = rw.readLock();
        var w2 = rw.writeLock();
        var r3 = rw.readLock();
        writer.unlock();
        assertThat(r1).isCompleted();
        assertThat(r2).isCompleted();
        assertThat(w2).isNotDone();
        assertThat(r3).isNotDone();
        r1.join().unlock();
        r2.join().unlock();
        assertThat(w2).isCompleted();
        w2.join().unlock();
        assertThat(r3).isCompleted();
    }

    @Test
    void cancel_waitingWriter_letsQueuedReadersIn() {
        var reader = rw.readLock().join();
        var writer = rw.writeLock();
        var lateReader = rw.readLock();
        writer.cancel(true);
        assertThat(lateReader).isCompleted();
        reader.unlock();
        lateReader.join().unlock();
        assertThat(rw.readers()).isZero();
        assertThat(rw.waiters()).isZero();
    }

    @Test
    void writeLockWithTimeout_expires_failsAndWithdraws() {
        var reader = rw.readLock().join();
        var writer = rw.writeLock(Duration.ofMillis(10));
        clock.advance(Duration.ofMillis(10));
        assertThatThrownBy(writer::join).hasCauseInstanceOf(TimeoutException.class);
        assertThat(rw.readLock(Duration.ZERO)).isCompleted();
        assertThat(rw.writeLock(Duration.ZERO)).isCompletedExceptionally();
        reader.unlock();
    }

    @Test
    void guard_unlockTwice_fails() {
        var guard = rw.writeLock().join();
        guard.unlock();
        assertThatThrownBy(guard::unlock).isInstanceOf(IllegalStateException.class);
        assertThat(rw.isWriteLocked()).isFalse();
    }

    // ---------------------------------------------------------------- with...Lock

    @Test
    void withWriteLock_andWithReadLock_releaseOnEveryOutcome() {
        var work = new CompletableFuture<Integer>();
        var written = rw.withWriteLock(() -> work);
        var read = rw.withReadLock(() -> CompletableFuture.completedFuture(1));
        assertThat(read).isNotDone();
        work.completeExceptionally(new IllegalStateException("write failed"));
        assertThat(written).isCompletedExceptionally();
        assertThat(read).isCompletedWithValue(1);
        assertThat(rw.readers()).isZero();
        assertThat(rw.isWriteLocked()).isFalse();
    }

    @Test
    void badInput_rejected() {
        assertThatThrownBy(() -> new AsyncReadWriteLock(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> rw.readLock(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> rw.withWriteLock(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("action");
    }

    @Test
    void unlock_100000ChainedWriteHandOffs_doNotOverflowTheStack() {
        int n = 100_000;
        var done = new java.util.concurrent.atomic.AtomicInteger();
        var first = rw.writeLock().join();
        for (int i = 0; i < n; i++) {
            rw.writeLock().thenAccept(guard -> {
                done.incrementAndGet();
                guard.unlock(); // hands the write lock to the next waiter from inside this completion
            });
        }
        first.unlock();
        assertThat(done.get()).isEqualTo(n);
        assertThat(rw.isWriteLocked()).isFalse();
    }
}
