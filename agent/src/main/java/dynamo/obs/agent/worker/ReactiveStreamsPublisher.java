package dynamo.obs.agent.worker;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * A Reactive Streams {@code org.reactivestreams.Publisher} result, matched by name: the agent has
 * no dependency on the library, so the wrappers are dynamic proxies defined in the application's
 * own class loader, implementing its own interfaces. Items are tokens; {@code onComplete} and
 * {@code onError} end the call, a cancelled subscription counts as cancelled.
 */
final class ReactiveStreamsPublisher {
  static final String PUBLISHER = "org.reactivestreams.Publisher";
  private static final String SUBSCRIBER = "org.reactivestreams.Subscriber";
  private static final String SUBSCRIPTION = "org.reactivestreams.Subscription";

  private ReactiveStreamsPublisher() {
  }

  /** The publisher, wrapped; or itself when its interfaces cannot be found. */
  static Object wrap(Object publisher, WorkerCall call) {
    Class<?> publisherType = find(publisher.getClass(), PUBLISHER);
    if (publisherType == null) {
      return publisher;
    }
    ClassLoader loader = publisherType.getClassLoader();
    Class<?> subscriberType;
    Class<?> subscriptionType;
    try {
      subscriberType = Class.forName(SUBSCRIBER, false, loader);
      subscriptionType = Class.forName(SUBSCRIPTION, false, loader);
    } catch (ClassNotFoundException e) {
      return publisher;
    }
    InvocationHandler onPublisher = (proxy, method, args) -> {
      if (method.getName().equals("subscribe") && args != null && args.length == 1 && args[0] != null) {
        Object subscriber = args[0];
        Object counted = Proxy.newProxyInstance(loader, new Class<?>[]{subscriberType},
            subscriberHandler(subscriber, call, loader, subscriptionType));
        return invoke(method, publisher, new Object[]{counted});
      }
      return invoke(method, publisher, args);
    };
    return Proxy.newProxyInstance(loader, new Class<?>[]{publisherType}, onPublisher);
  }

  private static InvocationHandler subscriberHandler(Object subscriber, WorkerCall call, ClassLoader loader,
      Class<?> subscriptionType) {
    return (proxy, method, args) -> {
      switch (method.getName()) {
        case "onSubscribe" :
          if (args != null && args.length == 1 && args[0] != null) {
            Object subscription = args[0];
            Object watched = Proxy.newProxyInstance(loader, new Class<?>[]{subscriptionType}, (p, m, a) -> {
              if (m.getName().equals("cancel")) {
                call.end(WorkerCall.End.CANCELLED);
              }
              return invoke(m, subscription, a);
            });
            return invoke(method, subscriber, new Object[]{watched});
          }
          break;
        case "onNext" :
          call.token();
          break;
        case "onError" :
          call.end(WorkerCall.End.ERROR);
          break;
        case "onComplete" :
          call.end(WorkerCall.End.OK);
          break;
        default :
          break;
      }
      return invoke(method, subscriber, args);
    };
  }

  /** Calls through to the application's object, rethrowing what it threw unchanged. */
  private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      switch (method.getName()) {
        case "equals" :
          return target.equals(args[0]);
        case "hashCode" :
          return target.hashCode();
        case "toString" :
          return target.toString();
        default :
          break;
      }
    }
    try {
      method.setAccessible(true);
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** The interface named {@code name} among the type's interfaces, or null. */
  static Class<?> find(Class<?> type, String name) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      for (Class<?> i : c.getInterfaces()) {
        if (i.getName().equals(name)) {
          return i;
        }
        Class<?> inParent = find(i, name);
        if (inParent != null) {
          return inParent;
        }
      }
    }
    return null;
  }
}
