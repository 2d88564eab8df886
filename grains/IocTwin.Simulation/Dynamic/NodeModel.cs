namespace IocTwin.Simulation.Dynamic;

/// <summary>
/// The general first-order node model of Tampère et al. (2011) with capacity-proportional priorities: how much each
/// incoming link sends through a junction in one step, given what it wants to send, where it wants to go (turn
/// fractions) and what each outgoing link can take.
/// </summary>
/// <remarks>
/// FIFO holds on every incoming link: when one of its directions is blocked, the whole link waits, so a full link
/// downstream holds back the movements that do not use it. Competing links share a constrained outgoing link in
/// proportion to their capacity (their priority), and a link that wants less than its share sends all it wants, its
/// unused share going to the others; a link held back by supply sends the same whatever more it wants (invariance). The sink (trips ending at the node) takes everything. Buffers are sized once for the
/// busiest node and reused.
/// </remarks>
internal sealed class NodeModel
{
    private readonly bool[] _undetermined;
    private readonly bool[] _active;
    private readonly double[] _remaining;

    public NodeModel(int maxIncoming, int maxOutgoing)
    {
        _undetermined = new bool[maxIncoming];
        _active = new bool[maxOutgoing];
        _remaining = new double[maxOutgoing];
    }

    /// <summary>
    /// Fills <paramref name="flow"/> with what each of the <paramref name="incoming"/> links sends, out of its
    /// <paramref name="sending"/>; <paramref name="turn"/> is row-major (incoming × outgoing) and each row may sum to
    /// less than 1, the rest going to the sink. <paramref name="blocking"/> gets, per incoming link, the outgoing link
    /// that held it back, or -1.
    /// </summary>
    public void Solve(int incoming, int outgoing, ReadOnlySpan<double> sending, ReadOnlySpan<double> priority, ReadOnlySpan<double> turn,
        ReadOnlySpan<double> receiving, Span<double> flow, Span<int> blocking)
    {
        var left = 0;
        for (var i = 0; i < incoming; i++)
        {
            flow[i] = 0;
            blocking[i] = -1;
            _undetermined[i] = sending[i] > 0;
            left += _undetermined[i] ? 1 : 0;
        }

        // Most steps nothing is constrained: every link sends all it wants.
        var constrained = false;
        for (var j = 0; j < outgoing && !constrained; j++)
        {
            double demand = 0;
            for (var i = 0; i < incoming; i++)
            {
                demand += sending[i] * turn[i * outgoing + j];
            }
            constrained = demand > receiving[j];
        }
        if (!constrained)
        {
            for (var i = 0; i < incoming; i++)
            {
                flow[i] = sending[i];
            }
            return;
        }

        for (var j = 0; j < outgoing; j++)
        {
            _remaining[j] = receiving[j];
            _active[j] = false;
            for (var i = 0; i < incoming && !_active[j]; i++)
            {
                _active[j] = _undetermined[i] && turn[i * outgoing + j] > 0;
            }
        }

        while (left > 0)
        {
            // The most restrictive outgoing link: the least supply per unit of priority sent its way.
            var tightest = -1;
            var reduction = double.PositiveInfinity;
            for (var j = 0; j < outgoing; j++)
            {
                if (!_active[j])
                {
                    continue;
                }
                double claim = 0;
                for (var i = 0; i < incoming; i++)
                {
                    if (_undetermined[i])
                    {
                        claim += priority[i] * turn[i * outgoing + j];
                    }
                }
                if (claim <= 0)
                {
                    _active[j] = false;
                    continue;
                }
                var a = Math.Max(0, _remaining[j]) / claim;
                if (a < reduction)
                {
                    reduction = a;
                    tightest = j;
                }
            }
            if (tightest < 0)
            {
                // Only the sink is left: the rest send all they want.
                for (var i = 0; i < incoming; i++)
                {
                    if (_undetermined[i])
                    {
                        flow[i] = sending[i];
                        _undetermined[i] = false;
                    }
                }
                return;
            }

            // Links that want less than their share of the tightest link send all they want; else all links sending
            // there are held to their share of it.
            var demandLimited = false;
            for (var i = 0; i < incoming; i++)
            {
                if (_undetermined[i] && sending[i] <= reduction * priority[i])
                {
                    demandLimited = true;
                    Settle(i, sending[i], -1, outgoing, turn, flow, blocking, ref left);
                }
            }
            if (demandLimited)
            {
                continue;
            }
            for (var i = 0; i < incoming; i++)
            {
                if (_undetermined[i] && turn[i * outgoing + tightest] > 0)
                {
                    Settle(i, reduction * priority[i], tightest, outgoing, turn, flow, blocking, ref left);
                }
            }
            _active[tightest] = false;
        }
    }

    private void Settle(int i, double q, int blockedBy, int outgoing, ReadOnlySpan<double> turn, Span<double> flow, Span<int> blocking, ref int left)
    {
        flow[i] = q;
        blocking[i] = blockedBy;
        _undetermined[i] = false;
        left--;
        for (var j = 0; j < outgoing; j++)
        {
            _remaining[j] -= q * turn[i * outgoing + j];
        }
    }
}
