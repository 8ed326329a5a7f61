package dev.asyncpatterns.console;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * One live page's mailbox: holds at most the newest unsent snapshot, so a slow browser costs one
 * string, never a backlog. One producer (the refresh tick), one consumer (the stream's thread).
 */
final class Stream {

    static final String END = new String("end"); // identity-compared poison

    private final BlockingQueue<String> slot = new ArrayBlockingQueue<>(1);

    void offer(String snapshot) {
        while (!slot.offer(snapshot)) {
            String stale = slot.poll();
            if (stale == END) {
                slot.offer(END); // ending wins over news
                return;
            }
        }
    }

    void end() {
        while (!slot.offer(END)) {
            slot.poll(); // drop unsent news: the stream is ending
        }
    }

    /** Blocks until news or the end; for the stream's virtual thread. */
    String takeBlocking() throws InterruptedException {
        return slot.take();
    }
}
