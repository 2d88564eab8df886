using IocTwin.Hosting;
using IocTwin.Silo;

var builder = WebApplication.CreateBuilder(args);

builder.AddIocTwinSilo();
builder.AddSiloOperations();

var app = builder.Build();

app.MapSiloOperations();

app.Run();
