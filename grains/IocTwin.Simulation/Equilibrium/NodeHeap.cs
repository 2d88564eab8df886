namespace IocTwin.Simulation.Equilibrium;

/// <summary>
/// The nodes Dijkstra has reached and not settled, as a 4-ary min-heap on their distance with each node's place in it,
/// so a shorter path moves the node up (decrease-key) instead of queueing it again: every node is queued and popped
/// once per tree, and nothing is allocated after construction. Four children a node make the heap half as deep as a
/// binary one, and taking out the smallest, the costly part, walks half as many levels.
/// </summary>
internal sealed class NodeHeap
{
    private readonly int[] _nodes;
    private readonly double[] _keys;
    private readonly int[] _place;
    private int _count;

    public NodeHeap(int nodeCount)
    {
        _nodes = new int[nodeCount];
        _keys = new double[nodeCount];
        _place = new int[nodeCount];
        Array.Fill(_place, -1);
    }

    public void Clear()
    {
        for (var i = 0; i < _count; i++)
        {
            _place[_nodes[i]] = -1;
        }
        _count = 0;
    }

    /// <summary>Queues <paramref name="node"/> at <paramref name="key"/>, or lowers its key when it is queued already.</summary>
    public void Update(int node, double key)
    {
        var i = _place[node];
        if (i < 0)
        {
            i = _count++;
        }
        SiftUp(i, node, key);
    }

    /// <summary>Takes out the node of the smallest key; false when none is left.</summary>
    public bool TryPop(out int node)
    {
        if (_count == 0)
        {
            node = -1;
            return false;
        }
        node = _nodes[0];
        _place[node] = -1;
        var last = --_count;
        if (last > 0)
        {
            SiftDown(_nodes[last], _keys[last]);
        }
        return true;
    }

    private void SiftUp(int i, int node, double key)
    {
        while (i > 0)
        {
            var parent = (i - 1) >> 2;
            if (_keys[parent] <= key)
            {
                break;
            }
            Put(i, _nodes[parent], _keys[parent]);
            i = parent;
        }
        Put(i, node, key);
    }

    private void SiftDown(int node, double key)
    {
        var i = 0;
        while (true)
        {
            var first = 4 * i + 1;
            if (first >= _count)
            {
                break;
            }
            var child = first;
            var last = Math.Min(first + 4, _count);
            for (var c = first + 1; c < last; c++)
            {
                if (_keys[c] < _keys[child])
                {
                    child = c;
                }
            }
            if (_keys[child] >= key)
            {
                break;
            }
            Put(i, _nodes[child], _keys[child]);
            i = child;
        }
        Put(i, node, key);
    }

    private void Put(int i, int node, double key)
    {
        _nodes[i] = node;
        _keys[i] = key;
        _place[node] = i;
    }
}
