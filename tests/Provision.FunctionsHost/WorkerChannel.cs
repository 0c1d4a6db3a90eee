using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using RpcException = Grpc.Core.RpcException;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;

namespace Provision.FunctionsHost;

/// <summary>
/// The host end of <c>FunctionRpc.EventStream</c>: one worker connects, requests go out through one writer,
/// answers come back matched by request id, and the worker's logs go to <see cref="HostLog"/>.
/// </summary>
public sealed class WorkerChannel(HostLog log) : FunctionRpc.FunctionRpcBase
{
    private readonly Channel<StreamingMessage> outbound = Channel.CreateUnbounded<StreamingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> pending = new();
    private readonly TaskCompletionSource<string> connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the worker id once the worker has opened the stream.</summary>
    public Task<string> Connected => connected.Task;

    /// <summary>Completes when the worker's stream ends.</summary>
    public Task Disconnected => disconnected.Task;

    /// <summary>Maps a worker's invocation id to its function's name, for log categories.</summary>
    public Func<string, string?> FunctionNameOf { get; set; } = _ => null;

    public override async Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken) || requestStream.Current.StartStream is null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "The first message must be StartStream."));
        }
        if (!connected.TrySetResult(requestStream.Current.StartStream.WorkerId))
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, "A worker is already connected."));
        }

        var writer = Task.Run(async () =>
        {
            await foreach (var message in outbound.Reader.ReadAllAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(message, context.CancellationToken);
            }
        });
        try
        {
            while (await requestStream.MoveNext(context.CancellationToken))
            {
                Receive(requestStream.Current);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or RpcException)
        {
            // The worker went away; the pending requests fail below.
        }
        finally
        {
            outbound.Writer.TryComplete();
            foreach (var waiting in pending.Values)
            {
                waiting.TrySetException(new InvalidOperationException("The worker process disconnected."));
            }
            disconnected.TrySetResult();
        }
        await writer.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>Sends a request and waits for the worker's answer to it.</summary>
    public async Task<StreamingMessage> RequestAsync(StreamingMessage request, CancellationToken cancellationToken)
    {
        request.RequestId = Guid.NewGuid().ToString();
        var answer = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[request.RequestId] = answer;
        try
        {
            Send(request);
            return await answer.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            pending.TryRemove(request.RequestId, out _);
        }
    }

    /// <summary>Sends a message that has no answer (terminate, cancel).</summary>
    public void Send(StreamingMessage message)
    {
        if (!outbound.Writer.TryWrite(message))
        {
            throw new InvalidOperationException("The worker process is not connected.");
        }
    }

    private void Receive(StreamingMessage message)
    {
        if (message.RpcLog is { } rpcLog)
        {
            log.Worker(rpcLog, FunctionNameOf(rpcLog.InvocationId));
        }
        else if (pending.TryGetValue(message.RequestId, out var waiting))
        {
            waiting.TrySetResult(message);
        }
    }
}
