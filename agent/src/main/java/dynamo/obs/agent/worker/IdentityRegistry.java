package dynamo.obs.agent.worker;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Objects of the application mapped to our recorders by identity (their own equals may say
 * anything), looked up without allocating: a per-thread probe key is reused.
 */
final class IdentityRegistry<V> {
  private static final class Key {
    Object ref;
    int hash;

    Key set(Object o) {
      ref = o;
      hash = System.identityHashCode(o);
      return this;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Key && ((Key) other).ref == ref;
    }
  }

  private final ConcurrentHashMap<Key, V> map = new ConcurrentHashMap<>();
  private final ThreadLocal<Key> probe = ThreadLocal.withInitial(Key::new);

  void put(Object o, V value) {
    map.put(new Key().set(o), value);
  }

  V get(Object o) {
    if (map.isEmpty()) {
      return null;
    }
    Key k = probe.get().set(o);
    try {
      return map.get(k);
    } finally {
      k.ref = null;
    }
  }

  void remove(Object o, V value) {
    Key k = probe.get().set(o);
    try {
      map.remove(k, value);
    } finally {
      k.ref = null;
    }
  }

  int size() {
    return map.size();
  }
}
