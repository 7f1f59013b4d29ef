package io.ringkv.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.api.v1.DeleteRequest;
import io.ringkv.api.v1.GetRequest;
import io.ringkv.api.v1.PutRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UpdateTest {

  private static final byte[] KEY = "cart".getBytes(UTF_8);

  /** Merges comma-separated sets. */
  private static final SiblingResolver UNION = siblings -> {
    TreeSet<String> items = new TreeSet<>();
    siblings.forEach(s -> items.addAll(List.of(new String(s, UTF_8).split(","))));
    return String.join(",", items).getBytes(UTF_8);
  };

  private final InProcessKv kv = new InProcessKv();
  private final FakeKeyValue fake = kv.fake();
  private final RingKvClient client = kv.client();

  @AfterEach
  void tearDown() {
    client.close();
    kv.close();
  }

  @Test
  void resolvesSiblingsAppliesTheChangeAndWritesWithTheReadsContext() {
    fake.seed("cart", "apple", "pear,fig");
    List<List<String>> seenByResolver = new ArrayList<>();
    SiblingResolver recording = siblings -> {
      seenByResolver.add(RingKvClientTest.utf8(siblings));
      return UNION.resolve(siblings);
    };

    Context written =
        client.update(KEY, v -> (new String(v, UTF_8) + ",kiwi").getBytes(UTF_8), recording);

    assertThat(seenByResolver).containsExactly(List.of("apple", "pear,fig"));
    assertThat(fake.values("cart")).containsExactly("apple,fig,pear,kiwi");
    var requests = fake.requests();
    assertThat(requests).hasSize(2);
    assertThat(requests.get(0)).isInstanceOf(GetRequest.class);
    PutRequest put = (PutRequest) requests.get(1);
    assertThat(Context.of(put.getContext().toByteArray())).isNotEqualTo(Context.EMPTY);
    assertThat(written).isEqualTo(client.get(KEY).context());
  }

  @Test
  void passesTheReadsContextToThePut() {
    Context first = client.put(KEY, "a".getBytes(UTF_8), Context.EMPTY);
    client.update(KEY, v -> "b".getBytes(UTF_8), UNION);
    assertThat(fake.lastRequest(PutRequest.class).getContext().toByteArray())
        .isEqualTo(first.toBytes());
    assertThat(fake.values("cart")).containsExactly("b");
  }

  @Test
  void anAbsentKeyGivesNullAndTheResolverIsNotCalled() {
    List<byte[]> seen = new ArrayList<>();
    client.update(KEY, v -> {
      seen.add(v);
      return "new".getBytes(UTF_8);
    }, siblings -> {
      throw new AssertionError("no siblings to resolve");
    });
    assertThat(seen).containsExactly((byte[]) null);
    assertThat(fake.values("cart")).containsExactly("new");
  }

  @Test
  void withoutAResolverSiblingsFailTheUpdateAndNothingIsWritten() {
    fake.seed("cart", "a", "b");
    assertThatThrownBy(() -> client.update(KEY, v -> v))
        .isInstanceOfSatisfying(RingKvException.class,
            e -> assertThat(e.code()).isEqualTo(RingKvException.Code.FAILED_PRECONDITION));
    assertThat(fake.requests()).hasSize(1);
  }

  @Test
  void theBuildersDefaultResolverIsUsed() {
    fake.seed("cart", "a", "b");
    try (RingKvClient merging =
        RingKvClient.builder().channel(kv.channel()).defaultResolver(UNION).build()) {
      merging.update(KEY, v -> v);
    }
    assertThat(fake.values("cart")).containsExactly("a,b");
  }

  @Test
  void aNullChangeDeletesWithTheReadsContext() {
    Context context = client.put(KEY, "a".getBytes(UTF_8), Context.EMPTY);
    assertThat(client.update(KEY, v -> null, UNION)).isEqualTo(Context.EMPTY);
    assertThat(fake.lastRequest(DeleteRequest.class).getContext().toByteArray())
        .isEqualTo(context.toBytes());
    assertThat(fake.values("cart")).isEmpty();
  }

  @Test
  void exceptionsFromTheChangePropagateAndNothingIsRetried() {
    fake.seed("cart", "a");
    assertThatThrownBy(() -> client.update(KEY, v -> {
      throw new IllegalStateException("boom");
    }, UNION)).isInstanceOf(IllegalStateException.class).hasMessage("boom");
    assertThat(fake.requests()).hasSize(1);
  }
}
