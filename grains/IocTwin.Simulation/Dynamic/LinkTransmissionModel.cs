namespace IocTwin.Simulation.Dynamic;

/// <summary>
/// Yperman's link transmission model on the road network: each link has a triangular fundamental diagram (capacity,
/// free-flow speed, backward wave speed, jam density) and is described by two cumulative vehicle counts, at its
/// upstream and downstream ends. What a link can send is what has reached its downstream end at free-flow speed and
/// not left, up to capacity; what it can take is its free storage as the backward wave last saw it, up to capacity.
/// Junctions share that out with <see cref="NodeModel"/>, and trips enter from their origin node and leave at a sink.
/// </summary>
/// <remarks>
/// Counts are kept in a ring per link end, long enough to look back one free-flow time (at a quarter of the registered
/// speed: slower links are held to it) or one backward-wave time. Times between sub-steps are read by linear
/// interpolation, so free flow keeps free-flow travel times exactly; a link shorter than one sub-step at free-flow
/// speed takes one sub-step. Vehicles stay in the counts, so none is created or lost.
/// </remarks>
internal sealed class LinkTransmissionModel
{
    private readonly RoadNetwork _net;
    private readonly double _dt;
    private readonly double[] _storage, _tauWave, _tauFree, _capStep, _capVph;
    private readonly bool[] _open;
    private readonly int[] _upStart, _upSize, _downStart, _downSize;
    private readonly double[] _up, _down;
    private readonly double[] _send, _recv, _reached, _inflow, _outflow;
    private readonly double[] _share, _sourceShare;
    private readonly bool[] _deadEnd;
    private readonly NodeModel _node;
    private readonly double[] _nodeSend, _nodeRecv, _nodeFlow;
    private readonly int[] _nodeBlocking;
    private readonly int[] _upNow, _downNow;
    // Where the counts a free-flow time and a backward-wave time before the next sub-step are read: whole sub-steps back
    // and the fraction of the one after, set with the speeds (Configure) so the sub-steps need no rounding.
    private readonly int[] _freeBack, _waveBack;
    private readonly double[] _freeFraction, _waveFraction;
    // Per junction, set with the splits for the step: the turn table (a row per approach and one for trips setting out,
    // a column per way out) and the approaches' priorities, so the sub-steps only gather what links send and take.
    private readonly int[] _turnStart;
    private readonly double[] _turns, _priorities;
    private readonly bool[] _sourceTurns;

    public LinkTransmissionModel(RoadNetwork network, double substepHours, double jamDensityPerLaneKm)
    {
        _net = network;
        _dt = substepHours;
        var links = network.LinkCount;
        _storage = new double[links];
        _tauWave = new double[links];
        _tauFree = new double[links];
        _capStep = new double[links];
        _capVph = new double[links];
        _open = new bool[links];
        _upStart = new int[links];
        _upSize = new int[links];
        _downStart = new int[links];
        _downSize = new int[links];
        _upNow = new int[links];
        _downNow = new int[links];
        _freeBack = new int[links];
        _waveBack = new int[links];
        _freeFraction = new double[links];
        _waveFraction = new double[links];
        WaveKmh = new double[links];
        int up = 0, down = 0;
        for (var a = 0; a < links; a++)
        {
            var spec = network.SegmentArray[network.LinkSegmentArray[a]];
            var lanes = Math.Max(1.0, spec.OneWay ? spec.Lanes : spec.Lanes / 2.0);
            var length = network.LinkLengthKmArray[a];
            var capacity = network.LinkCapacityVphArray[a];
            var speed = network.LinkFreeFlowKmhArray[a];
            var jam = jamDensityPerLaneKm * lanes;
            // The triangle's congested branch: from capacity at critical density to standstill at jam density.
            var critical = capacity / speed;
            var wave = capacity / Math.Max(jam - critical, 0.5 * critical);
            _storage[a] = jam * length;
            _tauWave[a] = Math.Max(1, length / wave / _dt);
            _upStart[a] = up;
            _upSize[a] = (int)Math.Ceiling(Math.Max(1, length / (0.25 * speed) / _dt)) + 2;
            up += _upSize[a];
            _downStart[a] = down;
            _downSize[a] = (int)Math.Ceiling(_tauWave[a]) + 2;
            (_waveBack[a], _waveFraction[a]) = BackAndFraction(_tauWave[a] - 1);
            down += _downSize[a];
            WaveKmh[a] = wave;
        }
        _up = new double[up];
        _down = new double[down];
        _send = new double[links];
        _recv = new double[links];
        _reached = new double[links];
        _inflow = new double[links];
        _outflow = new double[links];
        _share = new double[links];
        _sourceShare = new double[links];
        _deadEnd = new bool[network.NodeCount];
        Waiting = new double[network.NodeCount];
        DepartingPerHour = new double[network.NodeCount];
        OccupancyHours = new double[links];
        QueuedHours = new double[links];
        Entered = new double[links];
        Left = new double[links];
        BlockedSubsteps = new double[links];
        BlockedOutflow = new double[links];

        int maxIn = 0, maxOut = 0, turns = 0, priorities = 0;
        _turnStart = new int[network.NodeCount + 1];
        for (var n = 0; n < network.NodeCount; n++)
        {
            var incoming = network.InStart[n + 1] - network.InStart[n];
            var outgoing = network.OutStart[n + 1] - network.OutStart[n];
            maxIn = Math.Max(maxIn, incoming);
            maxOut = Math.Max(maxOut, outgoing);
            turns += (incoming + 1) * Math.Max(1, outgoing);
            priorities += incoming + 1;
            _turnStart[n + 1] = turns;
        }
        _turns = new double[turns];
        _priorities = new double[priorities];
        _sourceTurns = new bool[network.NodeCount];
        maxIn++;
        _node = new NodeModel(maxIn, Math.Max(1, maxOut));
        _nodeSend = new double[maxIn];
        _nodeFlow = new double[maxIn];
        _nodeBlocking = new int[maxIn];
        _nodeRecv = new double[Math.Max(1, maxOut)];
    }

    public double SubstepHours => _dt;

    /// <summary>Backward wave speed of each link, km/h.</summary>
    public double[] WaveKmh { get; }

    /// <summary>Jam storage of each link, vehicles.</summary>
    public ReadOnlySpan<double> Storage => _storage;

    /// <summary>Trips that have departed from each node and wait for room on the first road.</summary>
    public double[] Waiting { get; }

    /// <summary>Departure rate at each node, vehicles per hour, set by the caller every step.</summary>
    public double[] DepartingPerHour { get; }

    // Totals since the caller last cleared them (every step).
    public double[] OccupancyHours { get; }

    /// <summary>Vehicle-hours spent in the queue at each link's downstream end: delay beyond free flow.</summary>
    public double[] QueuedHours { get; }

    public double[] Entered { get; }

    public double[] Left { get; }

    /// <summary>Sub-steps in which a link was held back by a full link downstream, and the vehicles it let go meanwhile.</summary>
    public double[] BlockedSubsteps { get; }

    public double[] BlockedOutflow { get; }

    public double Arrived { get; private set; }

    public double Departed { get; private set; }

    /// <summary>Opens, closes and sets the capacity and speed of every link as <paramref name="now"/> says.</summary>
    public void Configure(LinkConditions now)
    {
        for (var a = 0; a < _open.Length; a++)
        {
            var open = now.Available[a] && now.CapacityVph[a] > 0;
            _open[a] = open;
            _capVph[a] = open ? now.CapacityVph[a] : 0;
            _capStep[a] = _capVph[a] * _dt;
            var speed = now.FreeFlowKmh[a] * now.SpeedFactor[a];
            _tauFree[a] = Math.Clamp(_net.LinkLengthKmArray[a] / speed / _dt, 1, _upSize[a] - 2);
            (_freeBack[a], _freeFraction[a]) = BackAndFraction(_tauFree[a] - 1);
        }
    }

    /// <summary>
    /// Turn fractions at every junction from the equilibrium link flows <paramref name="target"/> (vehicles per hour):
    /// trips setting out from the node take each way out in proportion to its flow; traffic coming in takes what is
    /// left of each way out's flow, and the rest of it ends its trip there. So steady traffic on these fractions
    /// carries the equilibrium flows. A junction the equilibrium sends nothing through spreads its traffic over its
    /// open ways out by capacity; one with no open way out holds it.
    /// </summary>
    public void SetSplits(double[] target)
    {
        for (var n = 0; n < _net.NodeCount; n++)
        {
            double outSum = 0, inSum = 0, capSum = 0;
            for (var k = _net.OutStart[n]; k < _net.OutStart[n + 1]; k++)
            {
                var a = _net.OutLinks[k];
                if (_open[a])
                {
                    outSum += target[a];
                    capSum += _capVph[a];
                }
            }
            for (var k = _net.InStart[n]; k < _net.InStart[n + 1]; k++)
            {
                var a = _net.InLinks[k];
                inSum += _open[a] ? target[a] : 0;
            }
            _deadEnd[n] = outSum + inSum <= 0 && capSum <= 0;
            var fromHere = outSum > 0 ? Math.Min(1, DepartingPerHour[n] / outSum) : 0;
            var through = inSum > 0 ? outSum * (1 - fromHere) / inSum : 1;
            var scale = through > 1 ? 1 / through : 1;
            for (var k = _net.OutStart[n]; k < _net.OutStart[n + 1]; k++)
            {
                var a = _net.OutLinks[k];
                var byFlow = outSum > 0 ? target[a] / outSum : capSum > 0 ? _capVph[a] / capSum : 0;
                _sourceShare[a] = _open[a] ? byFlow : 0;
                _share[a] = !_open[a] ? 0 : inSum > 0 ? target[a] * (1 - fromHere) / inSum * scale : byFlow;
            }
        }
        JunctionTables();
    }

    /// <summary>
    /// Each junction's turn table and priorities for the step: every approach turns by the shares of the ways out, trips
    /// setting out by theirs, with the priority of a side street (a tenth of the capacity out, or their own rate).
    /// </summary>
    private void JunctionTables()
    {
        var p = 0;
        for (var n = 0; n < _net.NodeCount; n++)
        {
            int inStart = _net.InStart[n], outStart = _net.OutStart[n];
            var incoming = _net.InStart[n + 1] - inStart;
            var outgoing = _net.OutStart[n + 1] - outStart;
            var width = Math.Max(1, outgoing);
            var turn = _turns.AsSpan(_turnStart[n], _turnStart[n + 1] - _turnStart[n]);
            double sourcePriority = 0, toward = 0;
            for (var j = 0; j < outgoing; j++)
            {
                var b = _net.OutLinks[outStart + j];
                sourcePriority += _capVph[b];
                toward += turn[incoming * width + j] = _sourceShare[b];
            }
            for (var i = 0; i < incoming; i++)
            {
                _priorities[p + i] = _capVph[_net.InLinks[inStart + i]];
                for (var j = 0; j < outgoing; j++)
                {
                    turn[i * width + j] = _share[_net.OutLinks[outStart + j]];
                }
            }
            _priorities[p + incoming] = Math.Max(DepartingPerHour[n], 0.1 * sourcePriority);
            _sourceTurns[n] = toward > 0;
            p += incoming + 1;
        }
    }

    /// <summary>Puts <paramref name="target"/> (up to capacity) on the roads as steady free-flow traffic; returns the vehicles on them.</summary>
    public double WarmStart(double[] target)
    {
        double onRoad = 0;
        for (var a = 0; a < _open.Length; a++)
        {
            var q = _open[a] ? Math.Min(target[a], _capVph[a]) * _dt : 0;
            var n0 = q * _tauFree[a];
            for (var k = 0; k < _upSize[a]; k++)
            {
                _up[Back(_upStart[a], _upSize[a], _upNow[a], k)] = n0 - q * k;
            }
            for (var k = 0; k < _downSize[a]; k++)
            {
                _down[Back(_downStart[a], _downSize[a], _downNow[a], k)] = -q * k;
            }
            onRoad += n0;
        }
        return onRoad;
    }

    /// <summary>Clears the per-step totals.</summary>
    public void ClearTotals()
    {
        Array.Clear(OccupancyHours);
        Array.Clear(QueuedHours);
        Array.Clear(Entered);
        Array.Clear(Left);
        Array.Clear(BlockedSubsteps);
        Array.Clear(BlockedOutflow);
    }

    /// <summary>One sub-step: departures join their origin's queue, links send and receive, junctions pass traffic on.</summary>
    public void Advance() => Advance(1);

    /// <summary>
    /// <paramref name="substeps"/> sub-steps in a row. Between two sub-steps each link moves its counts on and works out
    /// what it can send and take next in one pass (the same numbers as two passes, as a link's are its own): the links'
    /// rings and constants are read once a sub-step instead of twice.
    /// </summary>
    public void Advance(int substeps)
    {
        if (substeps <= 0)
        {
            return;
        }
        for (var a = 0; a < _open.Length; a++)
        {
            SendAndReceive(a);
        }
        for (var k = 0; k < substeps; k++)
        {
            Array.Clear(_inflow);
            Array.Clear(_outflow);
            var priorityStart = 0;
            for (var n = 0; n < _net.NodeCount; n++)
            {
                var departing = DepartingPerHour[n] * _dt;
                Waiting[n] += departing;
                Departed += departing;
                PassJunction(n, priorityStart);
                priorityStart += _net.InStart[n + 1] - _net.InStart[n] + 1;
            }
            var more = k + 1 < substeps;
            for (var a = 0; a < _open.Length; a++)
            {
                MoveCounts(a);
                if (more)
                {
                    SendAndReceive(a);
                }
            }
        }
    }

    /// <summary>What link <paramref name="a"/> can send and take in the coming sub-step.</summary>
    private void SendAndReceive(int a)
    {
        var upNow = _up[_upStart[a] + _upNow[a]];
        var downNow = _down[_downStart[a] + _downNow[a]];
        OccupancyHours[a] += (upNow - downNow) * _dt;
        if (!_open[a])
        {
            _send[a] = _recv[a] = _reached[a] = 0;
            return;
        }
        // Counts at one sub-step ahead less a free-flow time, and less a backward-wave time.
        var reached = ReadBack(_up, _upStart[a], _upSize[a], _upNow[a], _freeBack[a], _freeFraction[a]) - downNow;
        var room = ReadBack(_down, _downStart[a], _downSize[a], _downNow[a], _waveBack[a], _waveFraction[a]) + _storage[a] - upNow;
        _reached[a] = reached;
        _send[a] = Math.Clamp(reached, 0, _capStep[a]);
        _recv[a] = Math.Clamp(room, 0, _capStep[a]);
    }

    /// <summary>Link <paramref name="a"/> takes in and lets out what the junctions passed: its counts move one sub-step on.</summary>
    private void MoveCounts(int a)
    {
        var upNow = _up[_upStart[a] + _upNow[a]];
        var downNow = _down[_downStart[a] + _downNow[a]];
        _upNow[a] = _upNow[a] + 1 == _upSize[a] ? 0 : _upNow[a] + 1;
        _downNow[a] = _downNow[a] + 1 == _downSize[a] ? 0 : _downNow[a] + 1;
        _up[_upStart[a] + _upNow[a]] = upNow + _inflow[a];
        _down[_downStart[a] + _downNow[a]] = downNow + _outflow[a];
        // What had reached the downstream end by the end of the sub-step and is still there waits in the queue.
        QueuedHours[a] += Math.Max(0, _reached[a] - _outflow[a]) * _dt;
        Entered[a] += _inflow[a];
        Left[a] += _outflow[a];
    }

    /// <summary>Vehicles on each link now.</summary>
    public double OnLink(int a) => _up[_upStart[a] + _upNow[a]] - _down[_downStart[a] + _downNow[a]];

    /// <summary>Vehicles on a link that would have left it at free-flow speed and have not: its queue.</summary>
    public double Queued(int a)
    {
        var (back, fraction) = BackAndFraction(_tauFree[a]);
        return Math.Max(0, ReadBack(_up, _upStart[a], _upSize[a], _upNow[a], back, fraction) - _down[_downStart[a] + _downNow[a]]);
    }

    public bool IsOpen(int a) => _open[a];

    /// <summary>Whether traffic reaching node <paramref name="n"/> has no way on (no open road out, nor a trip ending there).</summary>
    public bool IsDeadEnd(int n) => _deadEnd[n];

    private void PassJunction(int n, int priorityStart)
    {
        int inStart = _net.InStart[n], inEnd = _net.InStart[n + 1], outStart = _net.OutStart[n], outEnd = _net.OutStart[n + 1];
        var outgoing = outEnd - outStart;
        var incoming = inEnd - inStart;
        var any = Waiting[n] > 0;
        for (var k = inStart; k < inEnd && !any; k++)
        {
            any = _send[_net.InLinks[k]] > 0;
        }
        if (!any || _deadEnd[n])
        {
            return;
        }
        var width = Math.Max(1, outgoing);
        var turn = _turns.AsSpan(_turnStart[n], _turnStart[n + 1] - _turnStart[n]);
        for (var j = 0; j < outgoing; j++)
        {
            _nodeRecv[j] = _recv[_net.OutLinks[outStart + j]];
        }
        for (var i = 0; i < incoming; i++)
        {
            _nodeSend[i] = _send[_net.InLinks[inStart + i]];
        }
        // Trips setting out join the junction as one more approach (its table's last row). Trips never end where they start.
        var rows = incoming;
        if (Waiting[n] > 0)
        {
            _nodeSend[rows] = Waiting[n];
            if (_sourceTurns[n])
            {
                rows++;
            }
        }
        _node.Solve(rows, outgoing, _nodeSend, _priorities.AsSpan(priorityStart, incoming + 1), turn, _nodeRecv, _nodeFlow, _nodeBlocking);

        for (var i = 0; i < rows; i++)
        {
            var q = _nodeFlow[i];
            var passedOn = 0.0;
            for (var j = 0; j < outgoing && q > 0; j++)
            {
                var part = q * turn[i * width + j];
                _inflow[_net.OutLinks[outStart + j]] += part;
                passedOn += part;
            }
            if (i == incoming)
            {
                Waiting[n] -= q;
                continue;
            }
            var a = _net.InLinks[inStart + i];
            _outflow[a] += q;
            Arrived += q - passedOn;
            var blocker = _nodeBlocking[i];
            if (blocker >= 0)
            {
                var b = _net.OutLinks[outStart + blocker];
                if (_recv[b] < _capStep[b])
                {
                    // Held back by a link that is full, not by a junction's capacity: spillback.
                    BlockedSubsteps[a]++;
                    BlockedOutflow[a] += q;
                }
            }
        }
    }

    /// <summary>Where in a ring the count of <paramref name="back"/> sub-steps ago is, from the slot of now.</summary>
    private static int Back(int start, int size, int now, int back)
    {
        var i = now - back;
        return start + (i < 0 ? i + size : i);
    }

    /// <summary>A time <paramref name="back"/> sub-steps (not necessarily whole) before now: the whole sub-steps back and the fraction of the one after.</summary>
    private static (int Whole, double Fraction) BackAndFraction(double back)
    {
        var whole = (int)Math.Ceiling(back);
        return (whole, whole - back);
    }

    /// <summary>A cumulative count <paramref name="whole"/> less <paramref name="fraction"/> sub-steps before now, by linear interpolation.</summary>
    private static double ReadBack(double[] ring, int start, int size, int now, int whole, double fraction)
    {
        var value = ring[Back(start, size, now, whole)];
        return fraction > 0 ? value + fraction * (ring[Back(start, size, now, whole - 1)] - value) : value;
    }
}
