using System.Runtime.InteropServices;
using TwitterBot.Sandbox;

// Ctrl-C (SIGINT) and SIGTERM end the chat. The simulators' web hosts register console lifetimes that swallow
// both signals and only request a stop nobody waits for, so without these the process would never exit.
using var stopping = new CancellationTokenSource();
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

return await SandboxChat.RunAsync(SandboxSettings.FromEnvironment(), Console.In, Console.Out, stopping.Token);

void Stop(PosixSignalContext signal)
{
    signal.Cancel = true;
    stopping.Cancel();
}
