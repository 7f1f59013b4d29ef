package io.ringkv.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on a loopback port that can swallow its open connections without closing them, the
 * way a network that drops a flow silently does (a peer powered off, a firewall or NAT that forgot
 * the connection): both ends still see an established connection, nothing arrives, nobody resets
 * it. Connections accepted after {@link #blackHoleOpenConnections} are relayed normally.
 */
public final class BlackHoleProxy implements AutoCloseable {

  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final List<Relay> relays = new CopyOnWriteArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile boolean closed;

  /** Relays connections on a free loopback port to {@code target}. */
  public BlackHoleProxy(InetSocketAddress target) throws IOException {
    this.target = target;
    this.listener = new ServerSocket(LoopbackPorts.free(), 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "black-hole-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** host:port to dial instead of the target. */
  public String address() {
    return "127.0.0.1:" + listener.getLocalPort();
  }

  /** Connections accepted so far. */
  public int connectionsAccepted() {
    return accepted.get();
  }

  /** From now on the bytes of every connection open now are read and dropped, both ways. */
  public void blackHoleOpenConnections() {
    for (Relay r : relays) {
      r.swallow = true;
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    listener.close();
    for (Relay r : relays) {
      r.close();
    }
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket in = listener.accept();
        Socket out;
        try {
          out = new Socket(target.getAddress(), target.getPort());
        } catch (IOException e) {
          in.close(); // the target is down: refuse this connection, keep accepting
          continue;
        }
        accepted.incrementAndGet();
        Relay relay = new Relay(in, out);
        relays.add(relay);
        relay.start();
      } catch (IOException e) {
        if (!closed) {
          throw new IllegalStateException("proxy accept failed", e);
        }
      }
    }
  }

  private static final class Relay {
    private final Socket a;
    private final Socket b;
    private volatile boolean swallow;

    Relay(Socket a, Socket b) {
      this.a = a;
      this.b = b;
    }

    void start() {
      pump(a, b, "black-hole-proxy-up");
      pump(b, a, "black-hole-proxy-down");
    }

    private void pump(Socket from, Socket to, String name) {
      Thread t = new Thread(() -> {
        byte[] buf = new byte[16 * 1024];
        // Not try-with-resources: closing a socket's stream closes the socket, and a black hole
        // must not pass a close on.
        try {
          InputStream in = from.getInputStream();
          OutputStream out = to.getOutputStream();
          int n;
          while ((n = in.read(buf)) >= 0) {
            if (!swallow) {
              out.write(buf, 0, n);
              out.flush();
            }
          }
        } catch (IOException e) {
          // this side closed or reset
        }
        if (!swallow) {
          close(); // pass the close on; a black hole passes nothing, a close neither
        }
      }, name);
      t.setDaemon(true);
      t.start();
    }

    void close() {
      try {
        a.close();
      } catch (IOException ignored) {
        // closing
      }
      try {
        b.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }
}
