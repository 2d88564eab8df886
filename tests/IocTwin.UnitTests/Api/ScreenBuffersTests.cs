using IocTwin.Api.Extensions;

namespace IocTwin.Tests.Api;

public sealed class ScreenBuffersTests
{
    [Fact]
    public void The_pool_keeps_room_for_a_frame_to_a_thousand_screens_unless_the_operator_sized_it()
    {
        var before = Environment.GetEnvironmentVariable(ScreenBuffers.Variable);
        try
        {
            Environment.SetEnvironmentVariable(ScreenBuffers.Variable, null);
            ScreenBuffers.Reserve();
            // A 10 KB frame is three 4 KB arrays: on 2 cores the pool then keeps those of about 680 screens written at once.
            Assert.Equal("1024", Environment.GetEnvironmentVariable(ScreenBuffers.Variable));

            Environment.SetEnvironmentVariable(ScreenBuffers.Variable, "64");
            ScreenBuffers.Reserve();
            Assert.Equal("64", Environment.GetEnvironmentVariable(ScreenBuffers.Variable));
        }
        finally
        {
            Environment.SetEnvironmentVariable(ScreenBuffers.Variable, before);
        }
    }
}
