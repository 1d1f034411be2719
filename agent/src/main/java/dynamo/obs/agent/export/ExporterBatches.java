package dynamo.obs.agent.export;

import io.opentelemetry.exporter.internal.FailedExportException;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.GrpcResponse;
import io.opentelemetry.sdk.common.export.GrpcStatusCode;
import io.opentelemetry.sdk.common.export.HttpResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Batches of one signal sent by an OpenTelemetry SDK exporter: the items as the SDK exports them
 * ({@code SpanData}, {@code LogRecordData}) wait in the export queue, and a batch is one export. The
 * answer is told apart as the queue needs it: taken; refused for what it holds ({@link BatchExporter.Rejected}:
 * gRPC {@code INVALID_ARGUMENT}, HTTP 400); or not taken (unreachable, {@code UNAVAILABLE}, a timeout …), to
 * send again. A batch larger than the collector takes (gRPC "larger than max", HTTP 413) is sent again as
 * two halves, down to single items; it is taken when every part is.
 *
 * @param <T> an item as it is offered
 * @param <D> an item as the SDK exports it
 */
final class ExporterBatches<T, D> implements BatchExporter<T, List<D>> {
  /** The SDK's exporter of one signal: its export and its shutdown. */
  record Exporter<D>(Function<Collection<D>, CompletableResultCode> exports,
      Supplier<CompletableResultCode> shutdowns) {
    CompletableResultCode export(Collection<D> items) {
      return exports.apply(items);
    }

    CompletableResultCode shutdown() {
      return shutdowns.get();
    }
  }

  private final Function<List<T>, List<D>> pack;
  private final Supplier<Exporter<D>> build;
  private final String destination;
  private volatile Exporter<D> exporter;

  /**
   * @param pack turns offered items into exported ones (on the export thread)
   * @param build makes the exporter, at the first export
   */
  ExporterBatches(Function<List<T>, List<D>> pack, Supplier<Exporter<D>> build, String destination) {
    this.pack = pack;
    this.build = build;
    this.destination = destination;
  }

  @Override
  public List<D> pack(List<T> items) {
    return pack.apply(items);
  }

  @Override
  public List<D> join(List<List<D>> pieces) {
    int n = 0;
    for (List<D> p : pieces) {
      n += p.size();
    }
    List<D> all = new ArrayList<>(n);
    for (List<D> p : pieces) {
      all.addAll(p);
    }
    return all;
  }

  @Override
  public void export(List<D> batch, int from, Consumer<Throwable> done) {
    send(from == 0 ? batch : batch.subList(from, batch.size()), done);
  }

  /** Sends {@code items}; {@code done} gets exactly one answer, also when the exporter cannot be made or throws. */
  private void send(List<D> items, Consumer<Throwable> done) {
    CompletableResultCode result;
    try {
      Exporter<D> e = exporter;
      if (e == null) {
        e = build.get();
        exporter = e;
      }
      result = e.export(items);
    } catch (RuntimeException | LinkageError t) {
      done.accept(t);
      return;
    }
    result.whenComplete(() -> {
      if (items.size() > 1 && tooLarge(result)) {
        int half = items.size() / 2;
        Answers answers = new Answers(2, done);
        send(items.subList(0, half), answers::answer);
        send(items.subList(half, items.size()), answers::answer);
      } else {
        done.accept(failure(result));
      }
    });
  }

  @Override
  public String destination() {
    return destination;
  }

  @Override
  public void shutdown() {
    Exporter<D> e = exporter;
    if (e != null) {
      e.shutdown();
    }
  }

  /** Null when the collector took the export; else why not, a {@link BatchExporter.Rejected} when not to send again. */
  static Throwable failure(CompletableResultCode result) {
    if (result.isSuccess()) {
      return null;
    }
    Throwable t = result.getFailureThrowable();
    if (t instanceof FailedExportException.GrpcExportException) {
      GrpcResponse r = ((FailedExportException.GrpcExportException) t).getResponse();
      if (r != null) {
        String message = r.getStatusDescription();
        String why = "gRPC status " + r.getStatusCode().name() + (message == null || message.isEmpty()
            ? ""
            : ": " + message);
        return r.getStatusCode() == GrpcStatusCode.INVALID_ARGUMENT || tooLarge(r)
            ? new BatchExporter.Rejected(why)
            : new IOException(why);
      }
      t = t.getCause();
    } else if (t instanceof FailedExportException.HttpExportException) {
      HttpResponse r = ((FailedExportException.HttpExportException) t).getResponse();
      if (r != null) {
        String why = "HTTP " + r.getStatusCode();
        return r.getStatusCode() == 400 || r.getStatusCode() == 413
            ? new BatchExporter.Rejected(why)
            : new IOException(why);
      }
      t = t.getCause();
    }
    return t != null ? t : new IOException("the export failed");
  }

  /** Whether the collector refused the export for its size (its limit is 4 MiB by default). */
  static boolean tooLarge(CompletableResultCode result) {
    if (result.isSuccess()) {
      return false;
    }
    Throwable t = result.getFailureThrowable();
    if (t instanceof FailedExportException.GrpcExportException) {
      GrpcResponse r = ((FailedExportException.GrpcExportException) t).getResponse();
      return r != null && tooLarge(r);
    }
    if (t instanceof FailedExportException.HttpExportException) {
      HttpResponse r = ((FailedExportException.HttpExportException) t).getResponse();
      return r != null && r.getStatusCode() == 413;
    }
    return false;
  }

  private static boolean tooLarge(GrpcResponse r) {
    String message = r.getStatusDescription();
    return r.getStatusCode() == GrpcStatusCode.RESOURCE_EXHAUSTED && message != null
        && message.contains("larger than max");
  }

  /** The answers to the parts of one batch, as one: a failure to retry wins over a rejection. */
  private static final class Answers {
    private final Consumer<Throwable> done;
    private int waiting;
    private Throwable failure;

    Answers(int parts, Consumer<Throwable> done) {
      this.waiting = parts;
      this.done = done;
    }

    void answer(Throwable t) {
      Throwable result;
      synchronized (this) {
        if (t != null && (failure == null || failure instanceof BatchExporter.Rejected)) {
          failure = t;
        }
        if (--waiting > 0) {
          return;
        }
        result = failure;
      }
      done.accept(result);
    }
  }
}
