package dynamo.obs.agent.worker;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The shapes a worker method's result can stream in. Each wrapper passes every item and signal
 * through unchanged and tells the call about tokens and the end.
 */
final class StreamedResults {
  private StreamedResults() {
  }

  static boolean isCancellation(Throwable t) {
    Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    return c instanceof CancellationException;
  }

  static void onCompletion(CompletionStage<?> stage, WorkerCall call) {
    stage.whenComplete((v, t) -> call.end(t == null
        ? WorkerCall.End.OK
        : isCancellation(t) ? WorkerCall.End.CANCELLED : WorkerCall.End.ERROR));
  }

  static <T> Iterator<T> iterator(Iterator<T> it, WorkerCall call) {
    return new Iterator<T>() {
      @Override
      public boolean hasNext() {
        boolean more;
        try {
          more = it.hasNext();
        } catch (RuntimeException | Error e) {
          call.end(WorkerCall.End.ERROR);
          throw e;
        }
        if (!more) {
          call.end(WorkerCall.End.OK);
        }
        return more;
      }

      @Override
      public T next() {
        T item;
        try {
          item = it.next();
        } catch (NoSuchElementException e) {
          call.end(WorkerCall.End.OK);
          throw e;
        } catch (RuntimeException | Error e) {
          call.end(WorkerCall.End.ERROR);
          throw e;
        }
        call.token();
        return item;
      }

      @Override
      public void remove() {
        it.remove();
      }
    };
  }

  static <T> Stream<T> stream(Stream<T> s, WorkerCall call) {
    Spliterator<T> source = s.spliterator();
    Spliterator<T> counted = new Spliterator<T>() {
      @Override
      public boolean tryAdvance(Consumer<? super T> action) {
        boolean advanced;
        try {
          advanced = source.tryAdvance(item -> {
            call.token();
            action.accept(item);
          });
        } catch (RuntimeException | Error e) {
          call.end(WorkerCall.End.ERROR);
          throw e;
        }
        if (!advanced) {
          call.end(WorkerCall.End.OK);
        }
        return advanced;
      }

      @Override
      public Spliterator<T> trySplit() {
        return null; // keep one sequence so the end is seen once
      }

      @Override
      public long estimateSize() {
        return source.estimateSize();
      }

      @Override
      public int characteristics() {
        return source.characteristics() & ~(Spliterator.SIZED | Spliterator.SUBSIZED);
      }
    };
    // Closed before exhausted: the consumer gave up on the rest.
    return StreamSupport.stream(counted, false).onClose(() -> {
      try {
        s.close();
      } finally {
        call.end(WorkerCall.End.CANCELLED);
      }
    });
  }

  static <T> Flow.Publisher<T> publisher(Flow.Publisher<T> p, WorkerCall call) {
    return subscriber -> p.subscribe(new Flow.Subscriber<T>() {
      @Override
      public void onSubscribe(Flow.Subscription subscription) {
        subscriber.onSubscribe(new Flow.Subscription() {
          @Override
          public void request(long n) {
            subscription.request(n);
          }

          @Override
          public void cancel() {
            call.end(WorkerCall.End.CANCELLED);
            subscription.cancel();
          }
        });
      }

      @Override
      public void onNext(T item) {
        call.token();
        subscriber.onNext(item);
      }

      @Override
      public void onError(Throwable t) {
        call.end(WorkerCall.End.ERROR);
        subscriber.onError(t);
      }

      @Override
      public void onComplete() {
        call.end(WorkerCall.End.OK);
        subscriber.onComplete();
      }
    });
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static Consumer<Object> consumer(Consumer c, WorkerCall call) {
    return item -> {
      call.token();
      c.accept(item);
    };
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static BiConsumer<Object, Object> biConsumer(BiConsumer c, WorkerCall call) {
    return (a, b) -> {
      call.token();
      c.accept(a, b);
    };
  }
}
