namespace IocTwin.Simulation;

/// <summary>
/// For the simulator's all-or-nothing loading: reverse Dijkstra over a binary heap, the shortest time from every node
/// to one root, the first link of each path, and the nodes in the order they were settled. Buffers are allocated once
/// and reused for every root. (The static equilibrium has its own forward tree, Equilibrium.ShortestPathTree.)
/// </summary>
internal sealed class ReverseShortestPaths
{
    public readonly double[] Dist;
    public readonly int[] Next;
    public readonly int[] Order;
    public int Settled;
    private readonly double[] _heapKey;
    private readonly int[] _heapNode;
    private readonly int[] _position;
    private int _heapSize;

    public ReverseShortestPaths(int nodes)
    {
        Dist = new double[nodes];
        Next = new int[nodes];
        Order = new int[nodes];
        _heapKey = new double[nodes];
        _heapNode = new int[nodes];
        _position = new int[nodes];
    }

    /// <summary>
    /// Shortest times from every node to <paramref name="root"/> over links of finite cost, and the first link of
    /// each path. <paramref name="inFrom"/> and <paramref name="inCost"/> are in the order of <paramref name="inLinks"/>.
    /// </summary>
    public void Dijkstra(int[] inStart, int[] inLinks, int[] inFrom, double[] inCost, int root)
    {
        Array.Fill(Dist, double.PositiveInfinity);
        Array.Fill(_position, -1);
        _heapSize = 0;
        Settled = 0;
        Dist[root] = 0;
        Next[root] = -1;
        Push(root, 0);
        while (_heapSize > 0)
        {
            var u = PopMin();
            Order[Settled++] = u;
            var du = Dist[u];
            var end = inStart[u + 1];
            for (var k = inStart[u]; k < end; k++)
            {
                var candidate = du + inCost[k];
                var v = inFrom[k];
                if (candidate < Dist[v])
                {
                    Dist[v] = candidate;
                    Next[v] = inLinks[k];
                    var position = _position[v];
                    if (position == -1)
                    {
                        Push(v, candidate);
                    }
                    else
                    {
                        SiftUp(position, v, candidate);
                    }
                }
            }
        }
    }

    private void Push(int node, double key) => SiftUp(_heapSize++, node, key);

    private int PopMin()
    {
        var top = _heapNode[0];
        _position[top] = -2; // settled
        var size = --_heapSize;
        if (size > 0)
        {
            SiftDown(_heapNode[size], _heapKey[size], size);
        }
        return top;
    }

    private void SiftUp(int i, int node, double key)
    {
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            var parentKey = _heapKey[parent];
            if (parentKey <= key)
            {
                break;
            }
            var parentNode = _heapNode[parent];
            _heapKey[i] = parentKey;
            _heapNode[i] = parentNode;
            _position[parentNode] = i;
            i = parent;
        }
        _heapKey[i] = key;
        _heapNode[i] = node;
        _position[node] = i;
    }

    /// <summary>Places <paramref name="node"/> from the top down in a heap of <paramref name="size"/> entries.</summary>
    private void SiftDown(int node, double key, int size)
    {
        var i = 0;
        while (true)
        {
            var child = 2 * i + 1;
            if (child >= size)
            {
                break;
            }
            var childKey = _heapKey[child];
            if (child + 1 < size && _heapKey[child + 1] < childKey)
            {
                child++;
                childKey = _heapKey[child];
            }
            if (childKey >= key)
            {
                break;
            }
            var childNode = _heapNode[child];
            _heapKey[i] = childKey;
            _heapNode[i] = childNode;
            _position[childNode] = i;
            i = child;
        }
        _heapKey[i] = key;
        _heapNode[i] = node;
        _position[node] = i;
    }
}
