using System.Reflection;
using System.Runtime.ExceptionServices;

namespace Piximi.Sweep.Storage;

/// <summary>
/// What <see cref="TrialStores"/> hands out: the backend's store, with a failure of its surroundings in any call (the
/// disk filled up while a worker stored an epoch, another program took the lock) turned into a
/// <see cref="StoreUnavailableException"/> that names the store (<see cref="StoreFailures"/>). Every other exception
/// passes unchanged. One place for every method of both backends, rather than a try in each of them.
/// </summary>
internal class GuardedStore : DispatchProxy
{
    private ITrialStore _inner = null!;
    private string _name = "";

    public static ITrialStore Wrap(ITrialStore inner, string name)
    {
        var proxy = Create<ITrialStore, GuardedStore>();
        var guarded = (GuardedStore)(object)proxy;
        guarded._inner = inner;
        guarded._name = name;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner)
        {
            if (StoreFailures.Explain(inner, _name) is { } message)
                throw new StoreUnavailableException(message, inner);
            ExceptionDispatchInfo.Throw(inner);
            throw;
        }
    }
}
