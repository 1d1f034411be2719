package dynamo.obs.it.apps;

/**
 * Does nothing: no HTTP server, no libraries. Prints {@code IDLE}, then sleeps for the number of
 * seconds given (default: until killed) and exits 0.
 */
public final class IdleApp {
  private IdleApp() {
  }

  public static void main(String[] args) throws InterruptedException {
    System.out.println("IDLE");
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : Long.MAX_VALUE / 2000;
    Thread.sleep(seconds * 1000);
    System.out.println("DONE");
  }
}
