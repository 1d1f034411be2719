package dynamo.obs.agent.export;

import io.opentelemetry.exporter.internal.marshal.Marshaler;
import io.opentelemetry.exporter.internal.marshal.Serializer;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.MessageWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;

/**
 * Sends a request already encoded as protobuf through an OpenTelemetry SDK OTLP exporter's own transport (gRPC or
 * http/protobuf over OkHttp, with its endpoint, headers, compression, TLS and timeout): the exporter's
 * {@code delegate} (its {@code GrpcExporter} or {@code HttpExporter}) is given a marshaler that writes the bytes as
 * they are. The SDK is bundled and relocated at one version, so the field is there (a test fails the build
 * otherwise).
 */
final class EncodedExport {
  private final Object delegate;
  private final MethodHandle export;

  private EncodedExport(Object delegate, MethodHandle export) {
    this.delegate = delegate;
    this.export = export;
  }

  /** The transport of {@code exporter} (one of the SDK's OTLP exporters). */
  static EncodedExport of(Object exporter) {
    try {
      Field f = exporter.getClass().getDeclaredField("delegate");
      f.setAccessible(true);
      Object delegate = f.get(exporter);
      MethodHandle export = MethodHandles.publicLookup().findVirtual(delegate.getClass(), "export",
          MethodType.methodType(CompletableResultCode.class, Marshaler.class, int.class));
      return new EncodedExport(delegate, export);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("the bundled OTLP exporter " + exporter.getClass().getName()
          + " cannot send encoded requests: " + e, e);
    }
  }

  /** Sends {@code request}, the encoded export request of {@code items} items. */
  CompletableResultCode send(byte[] request, int items) {
    try {
      return (CompletableResultCode) export.invoke(delegate, new Encoded(request), items);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** An encoded request as the SDK's transports take a message: its length, then its bytes. */
  static final class Encoded extends Marshaler {
    private final byte[] bytes;

    Encoded(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public int getBinarySerializedSize() {
      return bytes.length;
    }

    @Override
    public MessageWriter toBinaryMessageWriter() {
      return new MessageWriter() {
        @Override
        public void writeMessage(OutputStream output) throws IOException {
          output.write(bytes);
        }

        @Override
        public int getContentLength() {
          return bytes.length;
        }
      };
    }

    /** Protobuf only: the bytes as they are (no JSON form; the agent sends none). */
    @Override
    protected void writeTo(Serializer output) throws IOException {
      output.writeSerializedMessage(bytes, "");
    }
  }
}
