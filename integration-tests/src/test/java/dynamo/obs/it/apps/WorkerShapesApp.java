package dynamo.obs.it.apps;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Drives {@link ShapesEngine} from commands on stdin ({@code <shape> <model> <tokens>}), consuming
 * each result the way an application would, and prints {@code DONE <model>}. The engine is created
 * before anything else, so it is loaded before the agent's instrumentation is active.
 */
public final class WorkerShapesApp {
  private WorkerShapesApp() {
  }

  public static void main(String[] args) throws Exception {
    ShapesEngine engine = new ShapesEngine();
    System.out.println("READY");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] p = line.trim().split(" ");
      ShapesEngine.Req r = new ShapesEngine.Req(p[1], Integer.parseInt(p[2]));
      try {
        run(engine, p[0], r);
      } catch (Exception e) {
        System.out.println("caught " + e.getClass().getSimpleName());
      }
      System.out.println("DONE " + p[1]);
    }
  }

  private static void run(ShapesEngine engine, String shape, ShapesEngine.Req r) throws Exception {
    switch (shape) {
      case "iterate" : {
        Iterator<String> it = engine.iterate(r);
        while (it.hasNext()) {
          it.next();
        }
        break;
      }
      case "stream" :
        try (Stream<String> s = engine.stream(r)) {
          s.forEach(t -> {
          });
        }
        break;
      case "stream-early" :
        try (Stream<String> s = engine.stream(r)) {
          s.limit(1).forEach(t -> {
          });
        }
        break;
      case "future" :
        engine.future(r).get(10, TimeUnit.SECONDS);
        break;
      case "future-cancel" : {
        CompletableFuture<String> f = engine.never(r);
        f.cancel(true);
        break;
      }
      case "publisher" :
      case "publisher-cancel" : {
        CountDownLatch done = new CountDownLatch(1);
        boolean cancel = shape.equals("publisher-cancel");
        engine.publish(r).subscribe(new Flow.Subscriber<String>() {
          private Flow.Subscription sub;

          @Override
          public void onSubscribe(Flow.Subscription s) {
            sub = s;
            s.request(Long.MAX_VALUE);
          }

          @Override
          public void onNext(String item) {
            if (cancel) {
              sub.cancel();
              done.countDown();
            }
          }

          @Override
          public void onError(Throwable t) {
            done.countDown();
          }

          @Override
          public void onComplete() {
            done.countDown();
          }
        });
        done.await(10, TimeUnit.SECONDS);
        break;
      }
      case "flux" :
        new ReactorEngine().flux(r).blockLast();
        break;
      case "flux-cancel" :
        new ReactorEngine().flux(r).take(2).blockLast(); // take cancels upstream after two items
        break;
      case "flux-fail" :
        new ReactorEngine().failing(r).blockLast(); // throws: caught by the caller
        break;
      case "mono" :
        new ReactorEngine().mono(r).block();
        break;
      case "reactive" :
      case "reactive-cancel" : {
        boolean cancel = shape.equals("reactive-cancel");
        engine.reactive(r).subscribe(new org.reactivestreams.Subscriber<String>() {
          private org.reactivestreams.Subscription sub;

          @Override
          public void onSubscribe(org.reactivestreams.Subscription s) {
            sub = s;
            s.request(Long.MAX_VALUE);
          }

          @Override
          public void onNext(String item) {
            if (cancel) {
              sub.cancel();
            }
          }

          @Override
          public void onError(Throwable t) {
          }

          @Override
          public void onComplete() {
          }
        });
        break;
      }
      case "consume" :
        engine.consume(r, t -> {
        });
        break;
      case "handle" :
      case "handle-failing" : {
        CountDownLatch done = new CountDownLatch(1);
        ShapesEngine.TokenHandler h = new ShapesEngine.TokenHandler() {
          @Override
          public void onToken(String token) {
          }

          @Override
          public void onComplete(int completionTokens) {
            done.countDown();
          }

          @Override
          public void onError(Throwable error) {
            done.countDown();
          }
        };
        if (shape.equals("handle")) {
          engine.handle(r, h);
        } else {
          engine.handleFailing(r, h);
        }
        done.await(10, TimeUnit.SECONDS);
        break;
      }
      case "fail" :
        engine.fail(r);
        break;
      default :
        engine.plain(r);
    }
  }
}
