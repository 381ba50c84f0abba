using JobLogs.Jobs;

namespace JobLogs.Worker.Jobs;

/// <summary>A job failed in a way its runner understood: the card says what, where and (after the hint rules) what next.</summary>
internal sealed class JobFailedException(FailureCard card, Exception? inner = null) : Exception(card.Message, inner)
{
    public FailureCard Card { get; } = card;
}
