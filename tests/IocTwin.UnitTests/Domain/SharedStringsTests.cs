using IocTwin.Model;

namespace IocTwin.Tests.Domain;

public sealed class SharedStringsTests
{
    [Fact]
    public void Equal_strings_come_back_as_one_instance()
    {
        var pool = new SharedStrings(10);

        var first = pool.Share(new string("d-0001".AsSpan()));

        Assert.Same(first, pool.Share(new string("d-0001".AsSpan())));
    }

    [Fact]
    public void A_full_pool_hands_back_what_it_is_given_and_keeps_sharing_what_it_holds()
    {
        var pool = new SharedStrings(2);
        var (a, b) = (pool.Share("a"), pool.Share("b"));

        var c = new string("c".AsSpan());

        Assert.Same(c, pool.Share(c));
        Assert.NotSame(pool.Share(new string("c".AsSpan())), c);
        Assert.Same(a, pool.Share(new string("a".AsSpan())));
        Assert.Same(b, pool.Share(new string("b".AsSpan())));
    }
}
