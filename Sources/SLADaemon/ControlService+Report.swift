import SLAConfig
import SLAContract
import SLACore
import SLAJSON
import SLAReport
import SLAVarlink

/// `Report` on io.slad.Sla: the service level report from the stored outcomes.
extension ControlService {
    func report(_ json: [String: JSONValue]) async throws -> SlaInterface.Report.Reply {
        let parameters: SlaInterface.Report.Parameters
        do {
            parameters = try SlaInterface.Report.Parameters(json: json)
        } catch {
            throw VarlinkError.invalidParameter(error.field)
        }
        guard let format = ReportFormat(rawValue: parameters.format ?? "json") else {
            throw VarlinkError.invalidParameter("format")
        }
        let zone: ZoneRules
        switch host.zones.rules(named: parameters.timezone ?? SystemZone.name()) {
        case .success(let rules): zone = rules
        case .failure: throw VarlinkError.invalidParameter("timezone")
        }
        let options = ReportOptions(
            since: parameters.since, until: parameters.until, by: parameters.by ?? "month",
            group: parameters.group ?? [])
        switch await host.report(options, zone: zone, format: format) {
        case .success(let text):
            return SlaInterface.Report.Reply(format: format.rawValue, text: text)
        case .failure(.invalidOption(let parameter, _)):
            throw VarlinkError.invalidParameter(parameter)
        case .failure(.storageUnavailable(let reason)):
            throw VarlinkError(SlaInterface.StorageUnavailable(reason: reason))
        }
    }
}
