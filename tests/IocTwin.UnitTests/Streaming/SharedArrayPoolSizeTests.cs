using IocTwin.Api.Streaming;

namespace IocTwin.Tests.Streaming;

public sealed class SharedArrayPoolSizeTests
{
    [Fact]
    public void The_pool_is_sized_for_screens_unless_the_operator_set_its_size()
    {
        var before = Environment.GetEnvironmentVariable(SharedArrayPoolSize.Variable);
        try
        {
            Environment.SetEnvironmentVariable(SharedArrayPoolSize.Variable, null);
            SharedArrayPoolSize.SetForScreens();
            Assert.Equal("1024", Environment.GetEnvironmentVariable(SharedArrayPoolSize.Variable));

            Environment.SetEnvironmentVariable(SharedArrayPoolSize.Variable, "64");
            SharedArrayPoolSize.SetForScreens();
            Assert.Equal("64", Environment.GetEnvironmentVariable(SharedArrayPoolSize.Variable));
        }
        finally
        {
            Environment.SetEnvironmentVariable(SharedArrayPoolSize.Variable, before);
        }
    }
}
