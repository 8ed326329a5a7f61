package dev.asyncpatterns.pipeline;

import java.util.Iterator;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Source over an iterator obtained on the first poll: {@link Pipeline#from(Iterable)},
 * {@link Pipeline#fromIterator}, {@link Pipeline#fromStream}.
 *
 * <p>Backpressure: pulls one element per downstream request; a blocking iterator blocks the
 * drain thread. Buffering: none. Errors: an exception from {@code hasNext}/{@code next}, or a
 * {@code null} element, fails the run. Cancellation: the iterator is not advanced after the run
 * stops; {@code onClose} (closing a stream, an {@link AutoCloseable} iterator) runs once.
 */
final class IteratorSource<T> extends Stage<T> {

    private final Supplier<? extends Iterator<? extends T>> opener;
    private final @Nullable AutoCloseable closer;
    private @Nullable Iterator<? extends T> iterator;
    private boolean done;

    IteratorSource(
            Ctx ctx, String name, Supplier<? extends Iterator<? extends T>> opener, @Nullable AutoCloseable closer) {
        super(ctx, name);
        this.opener = opener;
        this.closer = closer;
    }

    @Override
    Object poll() {
        if (done) {
            return END;
        }
        Iterator<? extends T> it = iterator;
        if (it == null) {
            it = iterator = Objects.requireNonNull(opener.get(), "iterator");
        }
        if (!it.hasNext()) {
            done = true;
            return END;
        }
        T element = it.next();
        if (element == null) {
            throw new NullPointerException(name + ": source produced a null element");
        }
        out++;
        return element;
    }

    @Override
    void release() {
        done = true;
        Iterator<? extends T> it = iterator;
        iterator = null;
        try {
            if (closer != null) {
                closer.close();
            } else if (it instanceof AutoCloseable closeable) {
                closeable.close();
            }
        } catch (Exception failure) {
            throw propagate(failure);
        }
    }

    @Override
    void closeUpstream() {}
}
