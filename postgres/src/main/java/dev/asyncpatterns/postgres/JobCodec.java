package dev.asyncpatterns.postgres;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;

/**
 * Turns jobs into the bytes a {@link PostgresJobStore} keeps (column {@code payload bytea}) and
 * back. Use a stable, explicit format (text, JSON, protobuf...): jobs outlive the code that wrote
 * them, and there is deliberately no Java-serialization codec.
 *
 * <p>A job whose bytes cannot be decoded (its codec throws) is dead-lettered by the store with
 * the decode error and the other jobs go on; see {@link PostgresJobStore}.
 *
 * <p>Implementations must be thread-safe.
 *
 * @param <J> the job type
 * @since 0.1.0
 */
public interface JobCodec<J> {

    /**
     * Encodes a job.
     *
     * @param job the job, not null
     * @return its bytes
     */
    byte[] encode(J job);

    /**
     * Decodes a job.
     *
     * @param bytes what {@link #encode} produced
     * @return the job, not null
     * @throws RuntimeException if the bytes are not a job this codec understands
     */
    J decode(byte[] bytes);

    /**
     * Jobs that are strings, stored as UTF-8.
     *
     * @return the codec
     */
    static JobCodec<String> text() {
        return text(Function.identity(), Function.identity());
    }

    /**
     * Jobs written as text (UTF-8), for example one line of JSON or {@code "kind:argument"}.
     *
     * @param <J> the job type
     * @param toText writes a job
     * @param fromText reads a job; throws if the text is not one
     * @return the codec
     * @throws NullPointerException if an argument is null
     */
    static <J> JobCodec<J> text(Function<? super J, String> toText, Function<String, ? extends J> fromText) {
        Objects.requireNonNull(toText, "toText");
        Objects.requireNonNull(fromText, "fromText");
        return new JobCodec<>() {
            @Override
            public byte[] encode(J job) {
                return Objects.requireNonNull(toText.apply(job), "toText returned null")
                        .getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public J decode(byte[] bytes) {
                var decoder = StandardCharsets.UTF_8.newDecoder();
                String text;
                try {
                    text = decoder.decode(java.nio.ByteBuffer.wrap(bytes)).toString();
                } catch (java.nio.charset.CharacterCodingException e) {
                    throw new IllegalArgumentException("payload is not valid UTF-8 (" + bytes.length + " bytes)", e);
                }
                return Objects.requireNonNull(fromText.apply(text), "fromText returned null");
            }

            @Override
            public String toString() {
                return "JobCodec.text";
            }
        };
    }

    /**
     * Jobs that are byte arrays, stored as they are.
     *
     * @return the codec
     */
    static JobCodec<byte[]> bytes() {
        return bytes(byte[]::clone, byte[]::clone);
    }

    /**
     * Jobs written as bytes by the caller's own format.
     *
     * @param <J> the job type
     * @param toBytes writes a job
     * @param fromBytes reads a job; throws if the bytes are not one
     * @return the codec
     * @throws NullPointerException if an argument is null
     */
    static <J> JobCodec<J> bytes(Function<? super J, byte[]> toBytes, Function<byte[], ? extends J> fromBytes) {
        Objects.requireNonNull(toBytes, "toBytes");
        Objects.requireNonNull(fromBytes, "fromBytes");
        return new JobCodec<>() {
            @Override
            public byte[] encode(J job) {
                return Objects.requireNonNull(toBytes.apply(job), "toBytes returned null");
            }

            @Override
            public J decode(byte[] bytes) {
                return Objects.requireNonNull(fromBytes.apply(bytes), "fromBytes returned null");
            }

            @Override
            public String toString() {
                return "JobCodec.bytes";
            }
        };
    }
}
