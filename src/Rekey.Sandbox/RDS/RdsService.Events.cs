using System.Net;
using System.Xml.Linq;
using Rekey.Sandbox.Protocols;
using static Rekey.Sandbox.Protocols.QueryXml;

namespace Rekey.Sandbox.RDS;

/// <summary>RDS events and event subscriptions: read only.</summary>
public sealed partial class RdsService
{
    private void RegisterEventOperations()
    {
        Register("DescribeEvents", mutating: false, DescribeEvents);
        Register("DescribeEventSubscriptions", mutating: false, DescribeEventSubscriptions);
    }

    private IEnumerable<XElement> DescribeEvents(AwsRequestContext request, QueryParameters p)
    {
        var sourceIdentifier = p.Get("SourceIdentifier");
        var sourceType = p.Get("SourceType");
        if (sourceIdentifier is not null && sourceType is null)
        {
            throw AwsServiceException.InvalidParameterCombination("Cannot specify source identifier without source type");
        }

        var end = p.Time("EndTime") ?? Now;
        var start = p.Time("StartTime") ?? end.AddMinutes(-(p.Int("Duration") ?? 60));
        var categories = p.List("EventCategories");
        var events = _state.Events.Where(e =>
            e.Account == request.Account && e.Region == request.Region &&
            e.Date >= start && e.Date <= end &&
            (sourceType is null || e.SourceType == sourceType) &&
            (sourceIdentifier is null || e.SourceIdentifier == sourceIdentifier.ToLowerInvariant()) &&
            (categories.Count == 0 || e.EventCategories.Any(categories.Contains)));
        var (page, marker) = Paginate(p, events.OrderBy(e => e.Date));
        return
        [
            List("Events", "Event", page, e => new object[]
            {
                new XElement("SourceIdentifier", e.SourceIdentifier),
                new XElement("SourceType", e.SourceType),
                new XElement("Message", e.Message),
                List("EventCategories", "EventCategory", e.EventCategories, c => c),
                new XElement("Date", Timestamp(e.Date)),
                new XElement("SourceArn", e.SourceArn),
            }),
            .. marker is null ? [] : new[] { marker },
        ];
    }

    private IEnumerable<XElement> DescribeEventSubscriptions(AwsRequestContext request, QueryParameters p)
    {
        IEnumerable<EventSubscription> subscriptions = _state.Subscriptions.Where(s => s.Account == request.Account && s.Region == request.Region);
        if (p.Get("SubscriptionName") is { } name)
        {
            subscriptions = [subscriptions.FirstOrDefault(s => s.Name == name)
                ?? throw new AwsServiceException("SubscriptionNotFound", $"Event subscription {name} not found.", HttpStatusCode.NotFound)];
        }

        var (page, marker) = Paginate(p, subscriptions.OrderBy(s => s.Name, StringComparer.Ordinal));
        return
        [
            List("EventSubscriptionsList", "EventSubscription", page, s => new object?[]
            {
                new XElement("CustomerAwsId", s.Account),
                new XElement("CustSubscriptionId", s.Name),
                new XElement("SnsTopicArn", s.SnsTopicArn),
                new XElement("Status", "active"),
                new XElement("SubscriptionCreationTime", s.CreationTime.UtcDateTime.ToString("ddd MMM dd HH:mm:ss 'UTC' yyyy", System.Globalization.CultureInfo.InvariantCulture)),
                Optional("SourceType", s.SourceType),
                List("SourceIdsList", "SourceId", s.SourceIds, i => i),
                List("EventCategoriesList", "EventCategory", s.EventCategories, c => c),
                new XElement("Enabled", Bool(s.Enabled)),
                new XElement("EventSubscriptionArn", s.Arn),
            }),
            .. marker is null ? [] : new[] { marker },
        ];
    }
}
