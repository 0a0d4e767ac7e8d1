using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace TwitterBot.Tests.Support;

/// <summary>A fresh in-memory Ingress, with MassTransit's test harness as its bus, for every spec.</summary>
public abstract class IngressSpec
{
    protected IngressFactory Ingress { get; private set; } = null!;

    protected ITestHarness Harness => Ingress.Services.GetRequiredService<ITestHarness>();

    [SetUp]
    public void StartIngress() => Ingress = new IngressFactory(TestSettings.Common(), useTestHarness: true);

    [TearDown]
    public async Task StopIngress() => await Ingress.DisposeAsync();
}
