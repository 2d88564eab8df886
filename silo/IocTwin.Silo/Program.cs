using IocTwin.Hosting;
using Microsoft.Extensions.Hosting;

var builder = Host.CreateApplicationBuilder(args);

builder.AddIocTwinSilo();

await builder.Build().RunAsync();
